import type { IncomingMessage } from 'node:http';
import { filter, firstValueFrom, timer } from 'rxjs';
import { connect, reconnecting, type Peer } from 'rx-jsonrpc';
import { webSocket } from 'rx-jsonrpc/node';
import { ConnectionClosedError, TransportError } from '../../lib/protocol/errors';
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

  describe('when the server sends a message over maxPayload', () => {
    it('closes the link with 1009 at once, reported as ConnectionClosedError', async () => {
      const { url, accepted } = await startWsServer();
      const { link } = await openConnection(webSocket(url, { maxPayload: 1000 }));
      const { socket } = await accepted();
      const closed = closeOf(socket);
      socket.send('x'.repeat(1001));
      const error = await link.error();
      expect(error).toBeInstanceOf(ConnectionClosedError);
      expect(error).toMatchObject({
        code: 1009,
        reason: 'Max payload size exceeded',
        retryable: true,
        message: `Connection to ${url} closed (1009: Max payload size exceeded): message too big`,
      });
      expect((await closed).code).toBe(1009);
    });

    it('accepts a message of maxPayload bytes', async () => {
      const { url, accepted } = await startWsServer();
      const { frames } = await openConnection(webSocket(url, { maxPayload: 1000 }));
      (await accepted()).socket.send('x'.repeat(1000));
      expect(await frames.next()).toBe('x'.repeat(1000));
    });

    it('refuses one over 64 MiB by default', async () => {
      const { url, accepted } = await startWsServer();
      const { link } = await openConnection(webSocket(url));
      (await accepted()).socket.send(Buffer.alloc(67_108_865, 'x'), { binary: false });
      expect(await link.error()).toMatchObject({ name: 'ConnectionClosedError', code: 1009 });
    });

    it('fails the calls in flight with code 1009 and reconnects where configured', async () => {
      const { url, accepted } = await startWsServer();
      const peer: Peer = connect(webSocket(url, { maxPayload: 1000 }), {
        reconnect: reconnecting({ delay: () => timer(10) }),
      });
      try {
        const call = peer.request('slow').catch((e: unknown) => e);
        const { socket } = await accepted();
        socket.send('x'.repeat(5000));
        expect(await call).toMatchObject({ name: 'ConnectionClosedError', code: 1009, retryable: true });
        const reconnecting = await firstValueFrom(peer.state$.pipe(filter((state) => state.status === 'reconnecting')));
        expect(reconnecting).toMatchObject({ error: { code: 1009 } });
        await accepted();
        await firstValueFrom(peer.state$.pipe(filter((state) => state.status === 'open')));
      } finally {
        await peer.close();
      }
    });
  });
});
