import { once } from 'node:events';
import { WebSocket } from 'ws';
import { ConnectionClosedError, TransportError } from '../../lib/protocol/errors';
import { fromWebSocket, webSocket, type WebSocketConstructor } from '../../lib/transports/web-socket';
import { AsyncQueue } from '../helpers/async-queue';
import { observe, stopObserving } from '../helpers/observe';
import { openConnection } from '../helpers/open-connection';
import { closeAllWs, closedPort, closeOf, messageOf, openWsClient, startWsServer } from '../helpers/ws-server';

// The `ws` client as the platform WebSocket, as a browser would provide it.
const WebSocketImpl = WebSocket as unknown as WebSocketConstructor;

afterEach(async () => {
  stopObserving();
  await closeAllWs();
});

describe('webSocket', () => {
  describe('when the server accepts', () => {
    it('emits one Connection once the socket is open, with its info', async () => {
      const { url, accepted } = await startWsServer();
      const link = observe(webSocket(url, { WebSocket: WebSocketImpl }).connect());
      expect(link.values).toEqual([]);
      const connection = await link.next();
      await accepted();
      expect(connection.info).toEqual({ transport: 'websocket', url, protocol: '' });
      expect(link.values).toHaveLength(1);
      expect(link.ending).toBeUndefined();
    });

    it('opens a new socket for each subscription', async () => {
      const { url, accepted } = await startWsServer();
      const transport = webSocket(url, { WebSocket: WebSocketImpl });
      await openConnection(transport);
      await openConnection(transport);
      const [first, second] = await Promise.all([accepted(), accepted()]);
      expect(first.socket).not.toBe(second.socket);
    });
  });

  describe('when subprotocols are offered', () => {
    it('reports the protocol the server chose', async () => {
      const { url, accepted } = await startWsServer({
        handleProtocols: (offered) => (offered.has('jsonrpc') ? 'jsonrpc' : false),
      });
      const { connection } = await openConnection(
        webSocket(url, { WebSocket: WebSocketImpl, protocols: ['x-other', 'jsonrpc'] }),
      );
      const { request } = await accepted();
      expect(request.headers['sec-websocket-protocol']).toBe('x-other,jsonrpc');
      expect(connection.info.protocol).toBe('jsonrpc');
    });

    it('accepts a single protocol as a string', async () => {
      const { url } = await startWsServer();
      const { connection } = await openConnection(webSocket(url, { WebSocket: WebSocketImpl, protocols: 'jsonrpc' }));
      expect(connection.info.protocol).toBe('jsonrpc');
    });
  });

  describe('when frames flow', () => {
    it('sends text frames to the server', async () => {
      const { url, accepted } = await startWsServer();
      const { connection } = await openConnection(webSocket(url, { WebSocket: WebSocketImpl }));
      const { socket } = await accepted();
      const message = messageOf(socket);
      connection.send('{"jsonrpc":"2.0","method":"ping"}');
      const { data, isBinary } = await message;
      expect(isBinary).toBe(false);
      expect(data.toString()).toBe('{"jsonrpc":"2.0","method":"ping"}');
    });

    it('delivers text frames as strings, in order', async () => {
      const { url, accepted } = await startWsServer();
      const { frames } = await openConnection(webSocket(url, { WebSocket: WebSocketImpl }));
      const { socket } = await accepted();
      socket.send('{"a":1}');
      socket.send('{"b":2}');
      expect(await frames.next()).toBe('{"a":1}');
      expect(await frames.next()).toBe('{"b":2}');
    });

    it('delivers binary frames as Uint8Array', async () => {
      const { url, accepted } = await startWsServer();
      const { frames } = await openConnection(webSocket(url, { WebSocket: WebSocketImpl }));
      const { socket } = await accepted();
      socket.send(Buffer.from([1, 2, 255]));
      const frame = await frames.next();
      expect(frame).toBeInstanceOf(Uint8Array);
      expect(Array.from(frame as Uint8Array)).toEqual([1, 2, 255]);
    });
  });

  describe('when the server closes', () => {
    it('errors with ConnectionClosedError carrying code and reason', async () => {
      const { url, accepted } = await startWsServer();
      const { link, frames } = await openConnection(webSocket(url, { WebSocket: WebSocketImpl }));
      const { socket } = await accepted();
      socket.close(4001, 'go away');
      const error = await link.error();
      expect(error).toBeInstanceOf(ConnectionClosedError);
      expect(error).toMatchObject({
        message: `Connection to ${url} closed (4001: go away)`,
        code: 4001,
        reason: 'go away',
        retryable: true,
      });
      expect(frames.ending).toEqual({ kind: 'complete' });
    });

    it('leaves the reason out of the message when there is none', async () => {
      const { url, accepted } = await startWsServer();
      const { link } = await openConnection(webSocket(url, { WebSocket: WebSocketImpl }));
      (await accepted()).socket.close(1001);
      expect(await link.error()).toMatchObject({
        message: `Connection to ${url} closed (1001): going away`,
        code: 1001,
        reason: '',
      });
    });

    it('errors with code 1006 when the link drops without a close frame', async () => {
      const { url, accepted } = await startWsServer();
      const { link } = await openConnection(webSocket(url, { WebSocket: WebSocketImpl }));
      (await accepted()).socket.terminate();
      const error = await link.error();
      expect(error).toBeInstanceOf(ConnectionClosedError);
      expect(error).toMatchObject({
        message: `Connection to ${url} closed (1006): no close frame: the network dropped or the other side died`,
        code: 1006,
      });
    });
  });

  describe('when the handshake is refused', () => {
    it('errors with a retryable TransportError naming the URL and the status', async () => {
      const { url } = await startWsServer({ verifyClient: () => false });
      const error = await observe(webSocket(url, { WebSocket: WebSocketImpl }).connect()).error();
      expect(error).toBeInstanceOf(TransportError);
      expect(error).toMatchObject({
        message: `Could not connect to ${url}: Unexpected server response: 401`,
        retryable: true,
      });
      expect((error as TransportError).cause).toBeInstanceOf(Error);
    });
  });

  describe('when nothing listens', () => {
    it('errors with a retryable TransportError naming the URL', async () => {
      const url = `ws://127.0.0.1:${await closedPort()}`;
      const link = observe(webSocket(url, { WebSocket: WebSocketImpl }).connect());
      const error = await link.error();
      expect(link.values).toEqual([]);
      expect(error).toBeInstanceOf(TransportError);
      expect(error).toMatchObject({ retryable: true });
      const { message } = error as TransportError;
      expect(message.startsWith(`Could not connect to ${url}: `)).toBe(true);
      expect(message).toContain('ECONNREFUSED');
    });
  });

  describe('when the URL is malformed', () => {
    it('errors with TransportError naming the URL, with the constructor failure as cause', async () => {
      const error = await observe(webSocket('not a url', { WebSocket: WebSocketImpl }).connect()).error();
      expect(error).toBeInstanceOf(TransportError);
      expect(error).toMatchObject({ message: 'Could not open a WebSocket to not a url: Invalid URL: not a url' });
      expect((error as TransportError).cause).toBeInstanceOf(SyntaxError);
    });
  });

  describe('when unsubscribed', () => {
    it('closes the socket with code 1000', async () => {
      const { url, accepted } = await startWsServer();
      const { link, frames } = await openConnection(webSocket(url, { WebSocket: WebSocketImpl }));
      const { socket } = await accepted();
      const closed = closeOf(socket);
      link.unsubscribe();
      expect(await closed).toEqual({ code: 1000, reason: '' });
      expect(frames.ending).toEqual({ kind: 'complete' });
    });

    it('does not throw or error while the socket is still connecting', async () => {
      const { url, server } = await startWsServer();
      const link = observe(webSocket(url, { WebSocket: WebSocketImpl }).connect());
      expect(() => link.unsubscribe()).not.toThrow();
      // ws reports the aborted handshake on the next tick; let it, and the server, run.
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(link.values).toEqual([]);
      expect(link.ending).toBeUndefined();
      expect(server.clients.size).toBe(0);
    });

    it('does not throw or error while the server holds the handshake', async () => {
      const held = new AsyncQueue<(admit: boolean) => void>();
      const { url } = await startWsServer({ verifyClient: (_info, callback) => held.push(callback) });
      const link = observe(webSocket(url, { WebSocket: WebSocketImpl }).connect());
      const admit = await held.take();
      expect(() => link.unsubscribe()).not.toThrow();
      admit(true);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(link.values).toEqual([]);
      expect(link.ending).toBeUndefined();
    });
  });

  describe('connection.close', () => {
    it('closes with the code and reason given, and connect() errors with them', async () => {
      const { url, accepted } = await startWsServer();
      const { connection, link } = await openConnection(webSocket(url, { WebSocket: WebSocketImpl }));
      const { socket } = await accepted();
      const closed = closeOf(socket);
      connection.close(4000, 'bye');
      expect(await closed).toEqual({ code: 4000, reason: 'bye' });
      expect(await link.error()).toMatchObject({ name: 'ConnectionClosedError', code: 4000, reason: 'bye' });
    });

    it('closes with 1000 when no code is given', async () => {
      const { url, accepted } = await startWsServer();
      const { connection } = await openConnection(webSocket(url, { WebSocket: WebSocketImpl }));
      const { socket } = await accepted();
      const closed = closeOf(socket);
      connection.close();
      expect(await closed).toEqual({ code: 1000, reason: '' });
    });

    it('falls back to 1000 for a code a socket may not send', async () => {
      const { url, accepted } = await startWsServer();
      const { connection } = await openConnection(webSocket(url, { WebSocket: WebSocketImpl }));
      const { socket } = await accepted();
      const closed = closeOf(socket);
      connection.close(1006, 'dropped');
      expect(await closed).toEqual({ code: 1000, reason: 'dropped' });
    });
  });

  describe('when no WebSocket implementation is available', () => {
    const globals = globalThis as { WebSocket?: unknown };
    const saved = globals.WebSocket;
    afterEach(() => {
      if (saved === undefined) delete globals.WebSocket;
      else globals.WebSocket = saved;
    });

    it("errors with TransportError saying to import webSocket from 'rx-jsonrpc/node'", async () => {
      delete globals.WebSocket;
      const error = await observe(webSocket('ws://127.0.0.1:1').connect()).error();
      expect(error).toBeInstanceOf(TransportError);
      expect(error).toMatchObject({
        message:
          "No global WebSocket (Node < 22): import { webSocket } from 'rx-jsonrpc/node', or pass options.WebSocket",
        retryable: false,
      });
    });

    it('uses globalThis.WebSocket once there is one', async () => {
      const { url, accepted } = await startWsServer();
      globals.WebSocket = WebSocket;
      const { connection } = await openConnection(webSocket(url));
      await accepted();
      expect(connection.info.transport).toBe('websocket');
    });
  });
});

describe('fromWebSocket', () => {
  it('adopts an accepted server-side socket and exchanges frames with the client', async () => {
    const { url, accepted } = await startWsServer();
    const client = await openWsClient(url);
    const { socket } = await accepted();
    const { connection, frames } = await openConnection(fromWebSocket(socket));
    expect(connection.info).toEqual({ transport: 'websocket', protocol: '' });
    const message = messageOf(client);
    connection.send('{"to":"client"}');
    expect((await message).data.toString()).toBe('{"to":"client"}');
    client.send('{"to":"server"}');
    expect(await frames.next()).toBe('{"to":"server"}');
  });

  it('names the socket with the url given', async () => {
    const { url, accepted } = await startWsServer();
    await openWsClient(url);
    const { socket } = await accepted();
    const { connection } = await openConnection(fromWebSocket(socket, { url: 'client 7' }));
    expect(connection.info.url).toBe('client 7');
  });

  it('connects once: a second connect() errors with TransportError', async () => {
    const { url, accepted } = await startWsServer();
    await openWsClient(url);
    const transport = fromWebSocket((await accepted()).socket);
    const first = await openConnection(transport);
    const error = await observe(transport.connect()).error();
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ message: 'The WebSocket (accepted socket) was already used or closed' });
    expect(first.link.ending).toBeUndefined();
  });

  it('errors with TransportError for a socket that is already closed', async () => {
    const { url, accepted } = await startWsServer();
    const client = await openWsClient(url);
    const { socket } = await accepted();
    const closed = once(socket, 'close');
    client.close();
    await closed;
    const error = await observe(fromWebSocket(socket, { url: 'gone' }).connect()).error();
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ message: 'The WebSocket (gone) was already used or closed' });
  });

  it('closes the socket with 1000 when unsubscribed', async () => {
    const { url, accepted } = await startWsServer();
    const client = await openWsClient(url);
    const { link } = await openConnection(fromWebSocket((await accepted()).socket));
    const closed = closeOf(client);
    link.unsubscribe();
    expect(await closed).toEqual({ code: 1000, reason: '' });
  });

  it('errors with ConnectionClosedError when the client closes', async () => {
    const { url, accepted } = await startWsServer();
    const client = await openWsClient(url);
    const { link } = await openConnection(fromWebSocket((await accepted()).socket, { url: 'client 1' }));
    client.close(4002, 'leaving');
    const error = await link.error();
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect(error).toMatchObject({
      message: 'Connection to client 1 closed (4002: leaving)',
      code: 4002,
      reason: 'leaving',
    });
  });
});

describe('the send buffer limit', () => {
  it('refuses frames with a retryable TransportError once highWaterMark bytes wait, and sends again once drained', async () => {
    const { url, accepted } = await startWsServer();
    const { connection } = await openConnection(
      webSocket(url, { WebSocket: WebSocketImpl, highWaterMark: 256 * 1024 }),
    );
    const { socket } = await accepted();
    // The server stops reading: what the client sends piles up in its send buffer.
    (socket as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    const frame = JSON.stringify({ jsonrpc: '2.0', method: 'bulk', params: ['x'.repeat(64 * 1024)] });
    let refused: unknown;
    for (let i = 0; i < 10_000 && refused === undefined; i++) {
      try {
        connection.send(frame);
      } catch (error) {
        refused = error;
      }
      if (i % 50 === 49) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(refused).toBeInstanceOf(TransportError);
    expect(refused).toMatchObject({ retryable: true });
    expect((refused as Error).message).toMatch(
      /^Send buffer full: \d+ bytes wait to go to ws:\/\/127\.0\.0\.1:\d+ \(highWaterMark 262144\)$/,
    );
    (socket as unknown as { _socket: { resume(): void } })._socket.resume();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(() => connection.send('{"jsonrpc":"2.0","method":"after"}')).not.toThrow();
  }, 20_000);
});
