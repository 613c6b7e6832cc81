// Every error a call fails with names the call, in its message and as `method` and `id`:
// through the public API, against a real serve() on 127.0.0.1, port 0.
import { once } from 'node:events';
import { createServer } from 'node:net';
import { filter, firstValueFrom, Observable, timer } from 'rxjs';
import {
  connect,
  ConnectionClosedError,
  JsonRpcError,
  ProtocolError,
  reconnecting,
  RequestTimeoutError,
  TransportError,
  type Peer,
  type PeerOptions,
} from 'rx-jsonrpc';
import { serve, webSocket, type JsonRpcServer, type SetupPeer } from 'rx-jsonrpc/node';
import { failureOf } from '../helpers/peer-ends';
import { closeAllWs, startWsServer } from '../helpers/ws-server';

const servers: JsonRpcServer[] = [];
const clients: Peer[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(servers.splice(0).map((server) => server.close({ drain: 0 })));
  await closeAllWs();
});

async function start(setup: SetupPeer): Promise<string> {
  const server = await serve({ port: 0 }, setup);
  servers.push(server);
  return server.url!;
}

function client(url: string, options?: PeerOptions): Peer {
  const peer = connect(webSocket(url, { heartbeat: false }), options);
  clients.push(peer);
  return peer;
}

/** A port that was free: listened on, and closed by `close()`. */
async function freePort(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const noCloseFrame = 'no close frame: the network dropped or the other side died';

describe('a call answered with an error', () => {
  it('fails with a JsonRpcError whose message names the call, the code and the message as sent kept', async () => {
    const url = await start((peer) =>
      peer.handle('user.get', ([id]: [number]) => {
        throw new JsonRpcError(404, `No user ${id}`, { id });
      }),
    );
    const error = await failureOf(client(url).request('user.get', [7]));
    expect(error).toBeInstanceOf(JsonRpcError);
    expect(error).toMatchObject({
      name: 'JsonRpcError',
      message: 'Request 1 (user.get) failed: No user 7 (404)',
      code: 404,
      remoteMessage: 'No user 7',
      data: { id: 7 },
      method: 'user.get',
      id: 1,
      retryable: false,
    });
    expect(String(error)).toBe('JsonRpcError: Request 1 (user.get) failed: No user 7 (404)');
    expect((error as JsonRpcError).toJSON()).toEqual({ code: 404, message: 'No user 7', data: { id: 7 } });
  });

  it('names the method a server does not have', async () => {
    const url = await start((peer) => peer.handle('known', () => 1));
    const peer = client(url);
    await expect(peer.request('known')).resolves.toBe(1);
    expect(await failureOf(peer.request('unknown.method'))).toMatchObject({
      name: 'JsonRpcError',
      message: 'Request 2 (unknown.method) failed: Method not found (-32601)',
      code: -32601,
      remoteMessage: 'Method not found',
      method: 'unknown.method',
      id: 2,
    });
  });

  it('is passed on unchanged by a handler that rethrows it: the caller sees the message as first sent', async () => {
    const backend = await start((peer) =>
      peer.handle('user.get', () => {
        throw new JsonRpcError(404, 'No user 7', { id: 7 });
      }),
    );
    const toBackend = client(backend);
    // A proxy: the backend's error, named for the proxy's own call, is thrown on as it is.
    const proxy = await start((peer) => peer.handle('proxy.user.get', () => toBackend.request('user.get')));
    expect(await failureOf(client(proxy).request('proxy.user.get'))).toMatchObject({
      message: 'Request 1 (proxy.user.get) failed: No user 7 (404)',
      remoteMessage: 'No user 7',
      data: { id: 7 },
    });
  });
});

describe('a call whose link drops', () => {
  it('fails with a ConnectionClosedError naming the call and saying what 1006 means', async () => {
    const { url, accepted } = await startWsServer();
    const peer = client(url);
    const call = failureOf(peer.request('hang'));
    const { socket } = await accepted();
    await once(socket, 'message');
    // The server's socket ends without a close frame.
    socket.terminate();
    const error = await call;
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect(error).toMatchObject({
      message: `Request 1 (hang) failed: connection closed (1006): ${noCloseFrame}`,
      code: 1006,
      method: 'hang',
      id: 1,
    });
    expect(peer.pendingCount).toBe(0);
  });
});

describe('a call that times out', () => {
  it('fails with a RequestTimeoutError carrying the method and the id', async () => {
    const url = await start((peer) => peer.handle('slow', () => new Observable(() => undefined)));
    const error = await failureOf(client(url).request('slow', undefined, { timeout: 50 }));
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect(error).toMatchObject({ message: 'Request 1 (slow) timed out after 50 ms', method: 'slow', id: 1 });
    expect((error as Error).cause).toBeUndefined();
  });

  it('while its link is down and reconnecting, says why the link is down, the link error as cause', async () => {
    // A port that refuses: a server's, closed again.
    const { port, close } = await freePort();
    await close();
    const peer = client(`ws://127.0.0.1:${port}`, { reconnect: reconnecting({ delay: () => timer(20) }) });
    const error = await failureOf(peer.request('sum', [1, 2], { timeout: 300 }));
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect((error as Error).message).toMatch(
      /^Request 1 \(sum\) timed out after 300 ms waiting for the link, down: .*ECONNREFUSED/,
    );
    expect((error as Error).cause).toBeInstanceOf(TransportError);
    expect((error as Error).message).toContain(((error as Error).cause as Error).message);
  });

  it('while its link is down after a close, says which close code and what it means', async () => {
    const { url, accepted } = await startWsServer();
    const peer = client(url, { reconnect: reconnecting({ delay: () => timer(60_000) }) });
    expect(await firstValueFrom(peer.state$.pipe(filter((state) => state.status === 'open')))).toBeDefined();
    const { socket } = await accepted();
    socket.close(1013, 'try later');
    await firstValueFrom(peer.state$.pipe(filter((state) => state.status === 'reconnecting')));
    const error = await failureOf(peer.request('sum', [1, 2], { timeout: 100 }));
    expect((error as Error).message).toMatch(
      /^Request 1 \(sum\) timed out after 100 ms waiting for the link, down: .*1013/,
    );
  });
});

describe('a call that is not sent', () => {
  it('on a closed peer fails with a ConnectionClosedError carrying the method, and no id', async () => {
    const url = await start(() => undefined);
    const peer = client(url);
    await peer.close();
    const error = await failureOf(peer.request('late'));
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect(error).toMatchObject({ message: 'Request (late) not sent: the peer is closed', method: 'late' });
    expect((error as ConnectionClosedError).id).toBeUndefined();
    expect((error as ConnectionClosedError).cause).toBeUndefined();
  });

  it('with params that cannot be written fails with a ProtocolError carrying the method and the id', async () => {
    const url = await start(() => undefined);
    const error = await failureOf(client(url).request('big', [10n]));
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error).toMatchObject({
      method: 'big',
      id: 1,
      message: 'Request 1 (big) cannot be serialised to JSON: Do not know how to serialize a BigInt',
    });
  });

  it('with an empty method fails with a ProtocolError carrying it, and no id', async () => {
    const url = await start(() => undefined);
    const error = await failureOf(client(url).request(''));
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error).toMatchObject({ method: '', message: expect.stringMatching(/^Request \(\) not sent: /) });
  });
});
