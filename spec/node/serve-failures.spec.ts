import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { upgradeStatus } from '../helpers/upgrade-status';
import { connect as tcpConnect, type Socket } from 'node:net';
import { firstValueFrom, take, toArray } from 'rxjs';
import { WebSocketServer } from 'ws';
import { connect, type Batching, type HeartbeatCalls, type Peer, type PeerOptions, type Reconnect } from 'rx-jsonrpc';
import { serve, webSocket, type JsonRpcServer, type ServeOptions, type SetupPeer } from 'rx-jsonrpc/node';

const servers: JsonRpcServer[] = [];
const clients: Peer[] = [];
const httpServers: Server[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(servers.splice(0).map((server) => server.close({ drain: 0 })));
  await Promise.all(httpServers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

const handlers: SetupPeer = (peer) => peer.handle('ping', () => 'pong');

async function start(options: ServeOptions = {}, setup: SetupPeer = handlers): Promise<JsonRpcServer> {
  const server = await serve({ port: 0, ...options }, setup);
  servers.push(server);
  return server;
}

function client(url: string, headers?: Record<string, string>): Peer {
  const peer = connect(webSocket(url, { headers }), { timeout: 2_000 });
  clients.push(peer);
  return peer;
}

async function listening(http: Server): Promise<string> {
  httpServers.push(http);
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  return `ws://127.0.0.1:${(http.address() as { port: number }).port}`;
}

/** A TCP socket that has sent an upgrade request to 127.0.0.1:`port`, for a test to reset. */
function rawUpgrade(port: number): Socket {
  const socket = tcpConnect({ host: '127.0.0.1', port });
  socket.on('error', () => undefined);
  socket.write('GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n');
  socket.write('Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
  return socket;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('serve when things fail', () => {
  describe('with an upgrade whose target is no URL', () => {
    it('answers 400 and reports a ProtocolError on a server of its own', async () => {
      const server = await start({ path: '/rpc' });
      const reported = firstValueFrom(server.errors$);
      expect(await upgradeStatus(server.url!, { path: '//[' })).toBe(400);
      expect(await reported).toMatchObject({
        name: 'ProtocolError',
        message: 'Upgrade refused: //[ is not a valid request target',
      });
      await expect(client(`${server.url}/rpc`).request('ping')).resolves.toBe('pong');
    });

    it('leaves it to the other listeners of a shared server', async () => {
      const http = createServer();
      http.on('upgrade', (request, socket) => {
        if (request.url !== '/rpc') socket.end('HTTP/1.1 418 Teapot\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      });
      const url = await listening(http);
      const server = await start({ server: http, path: '/rpc' });
      const reported = firstValueFrom(server.errors$.pipe(toArray()));
      expect(await upgradeStatus(url, { path: '//[' })).toBe(418);
      await server.close({ drain: 0 });
      expect(await reported).toEqual([]);
    });
  });

  describe('when the upgrade itself fails', () => {
    it('answers 500 and reports a TransportError', async () => {
      const server = await start({
        ws: {
          handleProtocols: () => {
            throw new Error('no protocol today');
          },
        },
      });
      const reported = firstValueFrom(server.errors$);
      expect(await upgradeStatus(server.url!, { path: '/', headers: { 'sec-websocket-protocol': 'v1' } })).toBe(500);
      expect(await reported).toMatchObject({
        name: 'TransportError',
        message: 'Upgrade of / failed: no protocol today',
      });
    });

    it('reports an upgrade another server took first, and leaves its socket alone', async () => {
      const http = createServer();
      const url = await listening(http);
      const first = await start({ server: http });
      const second = await start({ server: http });
      const reported = firstValueFrom(second.errors$);
      await expect(client(url).request('ping')).resolves.toBe('pong');
      expect(await reported).toMatchObject({
        name: 'TransportError',
        message: expect.stringMatching(/^Upgrade of \/ failed: server\.handleUpgrade\(\) was called more than once/),
      });
      expect(first.peers.size).toBe(1);
    });
  });

  describe('when setup fails', () => {
    it.each([
      [
        'throws',
        () => {
          throw new Error('boom');
        },
      ],
      ['rejects', () => Promise.reject(new Error('boom')) as never],
    ])('closes the connection with 1011 and reports a HandlerError when it %s', async (_how, setup: SetupPeer) => {
      const server = await start({}, setup);
      const reported = firstValueFrom(server.errors$);
      await expect(client(`${server.url}/room?id=1`).request('ping')).rejects.toMatchObject({
        name: 'ConnectionClosedError',
        code: 1011,
        reason: 'Internal error',
      });
      const error = await reported;
      expect(error).toMatchObject({
        name: 'HandlerError',
        message: 'setup() failed for the connection from 127.0.0.1 to /room?id=1: boom',
      });
      expect(error.cause).toEqual(new Error('boom'));
      await pause(20);
      expect(server.peers.size).toBe(0);
    });

    it('closes the connection with 1011 when its peer cannot be made', async () => {
      const peer = {
        get handlerTimeout(): number {
          throw new Error('unreadable option');
        },
      } as PeerOptions;
      const server = await start({ peer });
      const reported = firstValueFrom(server.errors$);
      await expect(client(server.url!).request('ping')).rejects.toMatchObject({ code: 1011 });
      expect(await reported).toMatchObject({
        name: 'HandlerError',
        message: 'Could not serve the connection from 127.0.0.1 to /: unreadable option',
      });
    });

    it('closes the connection with 1011 when its session cannot be copied', async () => {
      const template: Record<string, unknown> = { visits: 0 };
      const server = await start({ peer: { session: template } });
      // Changed after serve() checked it: structuredClone cannot copy a function.
      template.log = () => undefined;
      const reported = firstValueFrom(server.errors$);
      await expect(client(server.url!).request('ping')).rejects.toMatchObject({ code: 1011 });
      expect(await reported).toMatchObject({ name: 'HandlerError' });
      expect((await reported).message).toMatch(/^Could not serve the connection from 127\.0\.0\.1 to \/: /);
    });
  });

  describe('authentication', () => {
    it('refuses with 401 an authenticate that returns neither true nor an object', async () => {
      const server = await start({ authenticate: () => undefined as never });
      expect(await upgradeStatus(server.url!, { path: '/' })).toBe(401);
    });

    it('forgets a client that resets its socket while authenticate runs', async () => {
      let checked!: () => void;
      const asked = new Promise<void>((resolve) => (checked = resolve));
      const server = await start({
        authenticate: async () => {
          checked();
          await pause(50);
          return true;
        },
      });
      const socket = rawUpgrade(Number(new URL(server.url!).port));
      await asked;
      socket.resetAndDestroy();
      await pause(100);
      expect(server.peers.size).toBe(0);
      await expect(client(server.url!).request('ping')).resolves.toBe('pong');
    });

    it('forgets a client of a ws server of the user that resets its socket while authenticate runs', async () => {
      const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
      await once(wss, 'listening');
      const { port } = wss.address() as { port: number };
      let setups = 0;
      const server = await serve({ wss, authenticate: () => pause(50).then(() => true) }, () => setups++);
      const socket = rawUpgrade(port);
      await once(socket, 'data');
      socket.resetAndDestroy();
      await pause(100);
      expect(setups).toBe(0);
      expect(server.peers.size).toBe(0);
      await server.close({ drain: 0 });
      await new Promise((resolve) => wss.close(resolve));
    });
  });

  describe('notifyAll', () => {
    it('throws a ProtocolError for a bad method or params, before sending to anyone', async () => {
      const server = await start();
      const listener = client(server.url!);
      const heard = firstValueFrom(listener.notifications$().pipe(take(1)));
      await expect(listener.request('ping')).resolves.toBe('pong');
      expect(() => server.notifyAll('', [])).toThrow(
        'Notification () not sent: the method must be a non-empty string, got ',
      );
      expect(() => server.notifyAll('news', 5 as never)).toThrow(
        'Notification (news) not sent: params must be an array or an object, got number',
      );
      expect(() => server.notifyAll('news', [1n])).toThrow(/^Notification \(news\) cannot be serialised to JSON: /);
      server.notifyAll('news', ['only this']);
      expect(await heard).toMatchObject({ method: 'news', params: ['only this'] });
    });

    it('skips a peer that is closing and reaches the others', async () => {
      const sent: string[] = [];
      const server = await start({}, (peer, connection, self) => {
        peer.handle('ping', () => 'pong');
        peer.state$.subscribe((state) => {
          if (state.status !== 'closed') return;
          self.notifyAll('left', [connection.url]);
          sent.push(connection.url);
        });
      });
      const [leaving, staying] = [client(`${server.url}/leaving`), client(`${server.url}/staying`)];
      await Promise.all([leaving.request('ping'), staying.request('ping')]);
      const left = firstValueFrom(staying.notifications$('left'));
      await leaving.close();
      expect(await left).toEqual(['/leaving']);
      expect(sent).toEqual(['/leaving']);
    });
  });

  describe('the session template', () => {
    it('is deep-copied for each connection, then completed with what authenticate returned', async () => {
      const template = { prefs: { theme: 'light' }, tags: ['a'] };
      const server = await start(
        { peer: { session: template }, authenticate: (request) => ({ user: request.headers['x-user'] }) },
        (peer) => {
          peer.handle('prefs.set', ([theme]: [string], { session }) => {
            (session.prefs as { theme: string }).theme = theme;
            (session.tags as string[]).push(theme);
          });
          peer.handle('session', (_params, { session }) => session);
        },
      );
      const [ada, bob] = [client(server.url!, { 'x-user': 'ada' }), client(server.url!, { 'x-user': 'bob' })];
      await ada.request('prefs.set', ['dark']);
      await expect(bob.request('session')).resolves.toEqual({ prefs: { theme: 'light' }, tags: ['a'], user: 'bob' });
      await expect(ada.request('session')).resolves.toEqual({
        prefs: { theme: 'dark' },
        tags: ['a', 'dark'],
        user: 'ada',
      });
      expect(template).toEqual({ prefs: { theme: 'light' }, tags: ['a'] });
    });

    it('rejects serve() with a TypeError when it cannot be copied', async () => {
      const error: unknown = await start({ peer: { session: { log: () => undefined } } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toMatch(
        /^serve\(\): peer\.session cannot be copied for each connection with structuredClone \(.+\); keep it plain data, and build per-connection state in authenticate\(\) or setup$/,
      );
    });
  });

  describe('peer options of 0.1', () => {
    it('reject serve() with a TypeError that names the fix, rather than fail every connection', async () => {
      // Plain data where a feature value belongs: what a JS user upgrading from 0.1 may still pass.
      const heartbeat = { interval: 1_000 } as unknown as HeartbeatCalls;
      const error: unknown = await start({ peer: { heartbeat } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toMatch(/heartbeat takes heartbeatCalls\(\.\.\.\)/);
      const reconnect = true as unknown as Reconnect;
      await expect(start({ peer: { reconnect } })).rejects.toThrow(/reconnect takes reconnecting\(\.\.\.\)/);
      const batching = true as unknown as Batching;
      await expect(start({ peer: { batching } })).rejects.toThrow(/batching takes batchingCalls\(\.\.\.\)/);
    });
  });
});
