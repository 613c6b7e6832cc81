import { once } from 'node:events';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { filter, firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { WebSocketServer } from 'ws';
import {
  connect,
  ConnectionClosedError,
  JsonRpcError,
  positional,
  reconnecting,
  TransportError,
  type Peer,
  type PeerOptions,
  type PeerState,
} from 'rx-jsonrpc';
import { serve, webSocket, type JsonRpcServer, type ServeOptions, type SetupPeer } from 'rx-jsonrpc/node';
import { closeOf, messageOf, openWsClient } from '../helpers/ws-server';

const servers: JsonRpcServer[] = [];
const clients: Peer[] = [];
const httpServers: Server[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(servers.splice(0).map((server) => server.close({ drain: 0 })));
  await Promise.all(httpServers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function start(setup: SetupPeer, options: ServeOptions = {}): Promise<JsonRpcServer> {
  const server = await serve({ port: 0, ...options }, setup);
  servers.push(server);
  return server;
}

function client(url: string, options?: Parameters<typeof webSocket>[1], peerOptions?: PeerOptions): Peer {
  const peer = connect(webSocket(url, options), peerOptions);
  clients.push(peer);
  return peer;
}

const isOpen = (peer: Peer) => firstValueFrom(peer.state$.pipe(filter((s) => s.status === 'open')));
const finalState = async (peer: Peer) =>
  (await lastValueFrom(peer.state$.pipe(toArray()))).at(-1) as Extract<PeerState, { status: 'closed' }>;

describe('serve', () => {
  describe('on a port of its own', () => {
    it('listens on 127.0.0.1 and gives each client a peer with the setup handlers', async () => {
      const server = await start((peer) =>
        peer.handle(
          'math.sum',
          positional((a: number, b: number) => a + b),
        ),
      );
      expect(server.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
      const [first, second] = [client(server.url!), client(server.url!)];
      await expect(first.request('math.sum', [1, 2])).resolves.toBe(3);
      await expect(second.request('math.sum', [3, 4])).resolves.toBe(7);
      expect(server.peers.size).toBe(2);
    });

    it('answers plain HTTP requests with 426 Upgrade Required', async () => {
      const server = await start(() => undefined);
      const response = await new Promise<{ statusCode?: number }>((resolve, reject) =>
        httpRequest(server.url!.replace('ws:', 'http:'), resolve).on('error', reject).end(),
      );
      expect(response.statusCode).toBe(426);
    });

    it('refuses upgrades on another path with 404 when a path is set', async () => {
      const server = await start(() => undefined, { path: '/rpc' });
      const ok = client(`${server.url}/rpc?x=1`);
      await isOpen(ok);
      const error = await client(`${server.url}/other`)
        .request('x')
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransportError);
      expect((error as Error).message).toMatch(/Unexpected server response: 404$/);
    });
  });

  describe('attached to an existing http.Server', () => {
    it('serves its path and leaves other upgrades to other listeners', async () => {
      const http = createServer();
      httpServers.push(http);
      const other = new WebSocketServer({ noServer: true });
      http.on('upgrade', (request, socket, head) => {
        if (request.url === '/other') other.handleUpgrade(request, socket, head, (ws) => ws.close(4002, 'other'));
      });
      http.listen(0, '127.0.0.1');
      await once(http, 'listening');
      const { port } = http.address() as { port: number };
      const server = await start((peer) => peer.handle('where', () => 'rpc'), { server: http, path: '/rpc' });
      expect(server.url).toBeUndefined();
      await expect(client(`ws://127.0.0.1:${port}/rpc`).request('where')).resolves.toBe('rpc');
      const plain = await openWsClient(`ws://127.0.0.1:${port}/other`);
      expect(await closeOf(plain)).toEqual({ code: 4002, reason: 'other' });
      other.close();
    });
  });

  describe('on an existing WebSocketServer', () => {
    it('serves its connections, and refuses unauthenticated ones with 1008', async () => {
      const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
      await once(wss, 'listening');
      const url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}`;
      const server = await start((peer) => peer.handle('ping', () => 'pong'), {
        wss,
        authenticate: (request) => request.headers.authorization === 'Bearer good',
      });
      await expect(client(url, { headers: { authorization: 'Bearer good' } }).request('ping')).resolves.toBe('pong');
      const refused = client(url, { headers: { authorization: 'Bearer bad' } });
      expect((await finalState(refused)).error).toMatchObject({ code: 1008, reason: 'Unauthorized' });
      // ws closes its server only once every client has gone.
      await server.close({ drain: 0 });
      await new Promise((resolve) => wss.close(resolve));
    });
  });

  describe('authentication', () => {
    const tokens: Record<string, string> = { 'token-ada': 'ada' };
    const authenticate: ServeOptions['authenticate'] = (request) => {
      const user = tokens[(request.headers.authorization ?? '').replace('Bearer ', '')];
      return user === undefined ? false : { user };
    };

    it('refuses a client without a valid token with HTTP 401, before the upgrade', async () => {
      let setups = 0;
      const server = await start(() => setups++, { authenticate });
      const error = await client(server.url!)
        .request('x')
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransportError);
      expect((error as Error).message).toMatch(/Unexpected server response: 401$/);
      expect(setups).toBe(0);
    });

    it('starts the session with what authenticate returned', async () => {
      const server = await start((peer) => peer.handle('whoami', (_p, { session }) => session.user), { authenticate });
      const ada = client(server.url!, { headers: { authorization: 'Bearer token-ada' } });
      await expect(ada.request('whoami')).resolves.toBe('ada');
    });

    it('refuses with 500 and reports when authenticate throws', async () => {
      const server = await start(() => undefined, {
        authenticate: () => {
          throw new Error('token store down');
        },
      });
      const reported = firstValueFrom(server.errors$);
      const error = await client(server.url!)
        .request('x')
        .catch((e: unknown) => e);
      expect((error as Error).message).toMatch(/Unexpected server response: 500$/);
      expect(await reported).toMatchObject({ message: 'authenticate() failed for /: token store down' });
    });

    it('supports a login call that establishes the identity for later calls', async () => {
      const server = await start((peer) => {
        peer.handle('login', ({ token }: { token: string }, { session }) => {
          const user = tokens[token];
          if (user === undefined) throw new JsonRpcError(4001, 'Bad token');
          session.user = user;
          return { user };
        });
        peer.handle('secret', (_p, { session }) => {
          if (session.user === undefined) throw new JsonRpcError(4003, 'Login first');
          return `for ${String(session.user)} only`;
        });
      });
      const peer = client(server.url!);
      await expect(peer.request('secret')).rejects.toMatchObject({
        code: 4003,
        message: 'Request 1 (secret) failed: Login first (4003)',
        remoteMessage: 'Login first',
      });
      await expect(peer.request('login', { token: 'nope' })).rejects.toMatchObject({ code: 4001 });
      await expect(peer.request('login', { token: 'token-ada' })).resolves.toEqual({ user: 'ada' });
      await expect(peer.request('secret')).resolves.toBe('for ada only');
      const other = client(server.url!);
      await expect(other.request('secret')).rejects.toMatchObject({ code: 4003 });
    });
  });

  describe('connection info', () => {
    it('gives handlers the upgrade request: url, headers, cookies, remote address; the request itself to setup only', async () => {
      const server = await start((peer, connection) => {
        const setupSaw = connection.request.url;
        peer.handle('info', (_p, context) => {
          const seen = context.connection as Partial<typeof connection>;
          return {
            url: seen.url,
            agent: seen.headers?.['x-agent'],
            cookies: { ...seen.cookies },
            remoteAddress: seen.remoteAddress,
            setupSaw,
            handlerSees: 'request' in seen,
          };
        });
      });
      const peer = client(`${server.url}/rpc?room=7`, {
        headers: { 'x-agent': 'spec', cookie: 'sid=abc%20d; theme="dark"' },
      });
      expect(await peer.request('info')).toEqual({
        url: '/rpc?room=7',
        agent: 'spec',
        cookies: { sid: 'abc d', theme: 'dark' },
        remoteAddress: '127.0.0.1',
        setupSaw: '/rpc?room=7',
        handlerSees: false,
      });
    });

    it('gives a client without cookies an empty record that no handler can write to', async () => {
      const server = await start((peer, _connection) => {
        peer.handle('cookies', (_p, { connection }) => {
          const cookies = (connection as Partial<typeof _connection>).cookies as Record<string, string>;
          const keys = Object.keys(cookies);
          const proto: unknown = Object.getPrototypeOf(cookies);
          try {
            cookies.sid = 'forged';
          } catch {
            // frozen: strict-mode code throws
          }
          return { keys, proto, after: cookies.sid ?? 'unset' };
        });
      });
      const [first, second] = [client(server.url!), client(server.url!)];
      expect(await first.request('cookies')).toEqual({ keys: [], proto: null, after: 'unset' });
      expect(await second.request('cookies')).toEqual({ keys: [], proto: null, after: 'unset' });
    });
  });

  describe('setup', () => {
    it('receives the server, to reach every client from a handler', async () => {
      const server = await start((peer, _connection, self) =>
        peer.handle('shout', ([text]: [string]) => self.notifyAll('heard', [text])),
      );
      const [speaker, listener] = [client(server.url!), client(server.url!)];
      const heard = firstValueFrom(listener.notifications$('heard'));
      await isOpen(listener);
      await speaker.request('shout', ['hi']);
      expect(await heard).toEqual(['hi']);
    });

    it('never reconnects a server peer, whatever its options say', async () => {
      const server = await start(() => undefined, { peer: { reconnect: reconnecting() } });
      const peer = client(server.url!);
      await isOpen(peer);
      expect(server.peers.size).toBe(1);
      const [serverPeer] = [...server.peers];
      const closed = finalState(serverPeer!);
      peer.close();
      expect((await closed).status).toBe('closed');
      expect(server.peers.size).toBe(0);
    });
  });

  describe('talking to clients', () => {
    it('notifies every client with notifyAll, and calls one client back', async () => {
      const server = await start((peer) =>
        peer.handle('ask', async (_p, { peer: caller }) => `client says ${String(await caller.request('name'))}`),
      );
      const [ada, bob] = ['ada', 'bob'].map((name) => {
        const peer = client(server.url!);
        peer.handle('name', () => name);
        return peer;
      }) as [Peer, Peer];
      const heard = Promise.all([ada, bob].map((peer) => firstValueFrom(peer.notifications$('news'))));
      await Promise.all([isOpen(ada), isOpen(bob)]);
      await expect(bob.request('ask')).resolves.toBe('client says bob');
      server.notifyAll('news', { headline: 'hello' });
      expect(await heard).toEqual([{ headline: 'hello' }, { headline: 'hello' }]);
    });

    it('sends a broadcast as a text frame of the exact JSON to each socket, and answers as text after it', async () => {
      const server = await start((peer) => peer.handle('echo', (params: unknown) => params));
      const sockets = await Promise.all([openWsClient(server.url!), openWsClient(server.url!)]);
      while (server.peers.size < 2) await new Promise((resolve) => setTimeout(resolve, 5));
      const frames = sockets.map((socket) => messageOf(socket));
      server.notifyAll('news', { headline: 'héllo ✓' });
      const expected = '{"jsonrpc":"2.0","method":"news","params":{"headline":"héllo ✓"}}';
      for (const frame of await Promise.all(frames)) {
        expect({ text: frame.data.toString(), isBinary: frame.isBinary }).toEqual({ text: expected, isBinary: false });
      }
      // The bytes of a broadcast are not sent again: an answer after it is its own text.
      const answer = messageOf(sockets[0]!);
      sockets[0]!.send('{"jsonrpc":"2.0","id":1,"method":"echo","params":["after"]}');
      const after = await answer;
      expect({ text: after.data.toString(), isBinary: after.isBinary }).toEqual({
        text: '{"jsonrpc":"2.0","id":1,"result":["after"]}',
        isBinary: false,
      });
      for (const socket of sockets) socket.close();
    });
  });

  describe('close', () => {
    it('answers the calls in flight, then closes every client with 1001', async () => {
      const server = await start((peer) =>
        peer.handle('slow', () => new Promise((resolve) => setTimeout(() => resolve('done'), 30))),
      );
      const peer = client(server.url!);
      const call = peer.request('slow');
      const state = finalState(peer);
      await firstValueFrom(peer.trace$.pipe(filter((e) => e.kind === 'out')));
      await new Promise((resolve) => setTimeout(resolve, 10));
      await server.close({ drain: 1_000 });
      await expect(call).resolves.toBe('done');
      expect((await state).error).toMatchObject({ code: 1001, reason: 'Server shutting down' });
      expect(server.peers.size).toBe(0);
    });

    it('stops listening', async () => {
      const server = await start(() => undefined);
      await server.close();
      servers.length = 0;
      const error = await client(server.url!)
        .request('x')
        .catch((e: unknown) => e);
      expect((error as Error).message).toMatch(/ECONNREFUSED/);
    });
  });

  describe('limits', () => {
    it('closes a connection that sends a message over maxPayload with 1009', async () => {
      const server = await start((peer) => peer.handle('echo', (p: unknown) => p), { maxPayload: 1024 });
      const peer = client(server.url!);
      await expect(peer.request('echo', ['small'])).resolves.toEqual(['small']);
      const error = await peer.request('echo', ['x'.repeat(2000)]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConnectionClosedError);
      expect(error).toMatchObject({ code: 1009 });
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(server.peers.size).toBe(0);
    });

    it('answers -32001 for a handler that never returns, after the handler timeout', async () => {
      const server = await start((peer) => peer.handle('hang', () => new Promise(() => undefined)), {
        peer: { handlerTimeout: 30 },
      });
      await expect(client(server.url!).request('hang')).rejects.toMatchObject({ code: -32001 });
    });
  });

  describe('when a client disconnects while its calls run', () => {
    it('drops their answers quietly and forgets the client', async () => {
      let started!: () => void;
      const running = new Promise<void>((resolve) => (started = resolve));
      const server = await start((peer) =>
        peer.handle('work', () => {
          started();
          return new Promise((resolve) => setTimeout(() => resolve('late'), 30));
        }),
      );
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown) => unhandled.push(reason);
      process.on('unhandledRejection', onUnhandled);
      const peer = client(server.url!);
      peer.request('work').catch(() => undefined);
      await running;
      peer.close();
      await new Promise((resolve) => setTimeout(resolve, 60));
      process.off('unhandledRejection', onUnhandled);
      expect(unhandled).toEqual([]);
      expect(server.peers.size).toBe(0);
    });
  });
});
