import type { IncomingMessage } from 'node:http';
import { ConnectionClosedError, TransportError } from '../../lib/protocol/errors';
import { webSocket } from '../../lib/node/web-socket';
import { observe, stopObserving } from '../helpers/observe';
import { openConnection } from '../helpers/open-connection';
import { closeAllWs, closeOf, messageOf, startWsServer } from '../helpers/ws-server';

afterEach(async () => {
  stopObserving();
  await closeAllWs();
});

describe('webSocket', () => {
  describe('when the server accepts', () => {
    it('opens a connection with ws, with no global WebSocket needed', async () => {
      const { url, accepted } = await startWsServer();
      const { connection, frames } = await openConnection(webSocket(url));
      const { socket } = await accepted();
      expect(connection.info).toEqual({ transport: 'websocket', url, protocol: '' });
      const message = messageOf(socket);
      connection.send('{"jsonrpc":"2.0","method":"hello"}');
      expect((await message).data.toString()).toBe('{"jsonrpc":"2.0","method":"hello"}');
      socket.send('{"jsonrpc":"2.0","method":"welcome"}');
      expect(await frames.next()).toBe('{"jsonrpc":"2.0","method":"welcome"}');
    });

    it('passes headers through to the upgrade request', async () => {
      const { url, accepted } = await startWsServer();
      await openConnection(webSocket(url, { headers: { authorization: 'Bearer t0k3n', 'x-client': 'spec' } }));
      const { request } = await accepted();
      expect(request.headers.authorization).toBe('Bearer t0k3n');
      expect(request.headers['x-client']).toBe('spec');
    });

    it('passes headers on every new connection', async () => {
      const { url, accepted } = await startWsServer();
      const transport = webSocket(url, { headers: { authorization: 'Bearer again' } });
      await openConnection(transport);
      await openConnection(transport);
      const requests = await Promise.all([accepted(), accepted()]);
      expect(requests.map(({ request }) => request.headers.authorization)).toEqual(['Bearer again', 'Bearer again']);
    });

    it('passes other ws client options through', async () => {
      const { url, accepted } = await startWsServer();
      await openConnection(webSocket(url, { origin: 'https://app.example.org' }));
      expect((await accepted()).request.headers.origin).toBe('https://app.example.org');
    });
  });

  describe('when subprotocols are offered', () => {
    it('offers them and reports the protocol the server chose', async () => {
      const { url, accepted } = await startWsServer({
        handleProtocols: (offered) => (offered.has('jsonrpc-2.0') ? 'jsonrpc-2.0' : false),
      });
      const { connection } = await openConnection(
        webSocket(url, { protocols: ['graphql-ws', 'jsonrpc-2.0'], headers: { 'x-with': 'protocols' } }),
      );
      const { request } = await accepted();
      expect(request.headers['sec-websocket-protocol']).toBe('graphql-ws,jsonrpc-2.0');
      expect(request.headers['x-with']).toBe('protocols');
      expect(connection.info.protocol).toBe('jsonrpc-2.0');
    });

    it('accepts a single protocol as a string', async () => {
      const { url } = await startWsServer();
      const { connection } = await openConnection(webSocket(url, { protocols: 'jsonrpc' }));
      expect(connection.info.protocol).toBe('jsonrpc');
    });
  });

  describe('when the handshake is refused', () => {
    it('errors with a retryable TransportError naming the URL', async () => {
      const { url } = await startWsServer({
        verifyClient: ({ req }: { req: IncomingMessage }) => req.headers.authorization === 'Bearer right',
      });
      const error = await observe(webSocket(url, { headers: { authorization: 'Bearer wrong' } }).connect()).error();
      expect(error).toBeInstanceOf(TransportError);
      expect(error).toMatchObject({
        message: `Could not connect to ${url}: Unexpected server response: 401`,
        retryable: true,
      });
    });
  });

  describe('when the server closes', () => {
    it('errors with ConnectionClosedError carrying code and reason', async () => {
      const { url, accepted } = await startWsServer();
      const { link } = await openConnection(webSocket(url));
      (await accepted()).socket.close(4003, 'forbidden');
      const error = await link.error();
      expect(error).toBeInstanceOf(ConnectionClosedError);
      expect(error).toMatchObject({ code: 4003, reason: 'forbidden' });
    });
  });

  describe('when unsubscribed', () => {
    it('closes the socket with code 1000', async () => {
      const { url, accepted } = await startWsServer();
      const { link } = await openConnection(webSocket(url));
      const closed = closeOf((await accepted()).socket);
      link.unsubscribe();
      expect(await closed).toEqual({ code: 1000, reason: '' });
    });
  });
});
