import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import {
  connect,
  http,
  JsonRpcError,
  positional,
  requestWithProgress$,
  TransportError,
  type Peer,
  type RpcError,
} from 'rx-jsonrpc';
import { serve, type JsonRpcServer, type ServeOptions, type SetupPeer } from 'rx-jsonrpc/node';

// serve() answering HTTP POST on its own port: the library's http() client, and fetch for
// what a client sees byte for byte (statuses, headers). Everything on 127.0.0.1, port 0.
const servers: JsonRpcServer[] = [];
const clients: Peer[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(servers.splice(0).map((server) => server.close({ drain: 0 })));
});

async function start(setup: SetupPeer, options: ServeOptions = {}): Promise<string> {
  const server = await serve({ port: 0, ...options }, setup);
  servers.push(server);
  return server.url!.replace('ws:', 'http:');
}

function client(url: string, options?: Parameters<typeof http>[1]): Peer {
  const peer = connect(http(url, options), { timeout: 5_000 });
  clients.push(peer);
  return peer;
}

const json = { 'content-type': 'application/json' };

/** POSTs `body` with fetch; the status, headers and text of the answer. */
async function post(url: string, body: string, headers: Record<string, string> = json) {
  const response = await fetch(url, { method: 'POST', headers, body });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

const call = (method: string, params?: unknown, id: number | null = 1) =>
  JSON.stringify({ jsonrpc: '2.0', method, params, ...(id === null ? {} : { id }) });

const sum = positional((a: number, b: number) => a + b);

describe('serve() over HTTP POST', () => {
  describe('calls', () => {
    it('answers a call of the http() client with the handlers setup registered', async () => {
      const url = await start((peer) => peer.handle('math.sum', sum));
      await expect(client(url).request('math.sum', [1, 2])).resolves.toBe(3);
    });

    it('answers with 200 and application/json', async () => {
      const url = await start((peer) => peer.handle('math.sum', sum));
      const answer = await post(url, call('math.sum', [2, 3]));
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toBe('application/json');
      expect(JSON.parse(answer.text)).toEqual({ jsonrpc: '2.0', id: 1, result: 5 });
    });

    it('answers a batch with one array holding the answers to its requests', async () => {
      const url = await start((peer) => peer.handle('math.sum', sum));
      const body = `[${call('math.sum', [1, 1], 1)},${call('math.sum', [1, 2], null)},${call('nope', [], 2)}]`;
      const answer = await post(url, body);
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.text)).toEqual([
        { jsonrpc: '2.0', id: 1, result: 2 },
        { jsonrpc: '2.0', id: 2, error: { code: -32601, message: 'Method not found' } },
      ]);
    });

    it('answers a notification, and a batch of notifications, with 204 and no body', async () => {
      const heard: unknown[] = [];
      const url = await start((peer) => peer.handle('log', (params) => void heard.push(params)));
      const single = await post(url, call('log', ['a'], null));
      const batch = await post(url, `[${call('log', ['b'], null)},${call('log', ['c'], null)}]`);
      expect([single.status, single.text, batch.status, batch.text]).toEqual([204, '', 204, '']);
      expect(heard).toEqual([['a'], ['b'], ['c']]);
    });

    it('answers notify() of the http() client, which resolves nothing and fails nothing', async () => {
      const heard: unknown[] = [];
      const url = await start((peer) => peer.handle('log', (params) => void heard.push(params)));
      const rpc = client(url);
      rpc.notify('log', ['hi']);
      await expect(rpc.request('log', ['then'])).resolves.toBeNull();
      expect(heard).toEqual([['hi'], ['then']]);
    });

    it('answers a body that is not JSON with a Parse error, as on a WebSocket', async () => {
      const url = await start(() => undefined);
      const answer = await post(url, '{"jsonrpc": "2.0", "method"');
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.text)).toEqual({
        jsonrpc: '2.0',
        id: null,
        error: { code: -32700, message: 'Parse error' },
      });
    });

    it('gives the remote error to the http() client as a JsonRpcError', async () => {
      const url = await start((peer) =>
        peer.handle('fail', () => {
          throw new JsonRpcError(4001, 'No such account', { account: 7 });
        }),
      );
      const error = await client(url)
        .request('fail')
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(JsonRpcError);
      expect(error).toMatchObject({
        code: 4001,
        message: 'Request 1 (fail) failed: No such account (4001)',
        remoteMessage: 'No such account',
        data: { account: 7 },
      });
    });
  });

  describe('context', () => {
    it("hands handlers the POST's url, headers, cookies and address as context.connection", async () => {
      const url = await start((peer, setupInfo) => {
        const method = setupInfo.request.method;
        peer.handle('info', (_p, { connection }) => {
          const seen = connection as Partial<Parameters<SetupPeer>[1]>;
          return {
            transport: seen.transport,
            url: seen.url,
            agent: seen.headers?.['x-agent'],
            cookies: { ...seen.cookies },
            remoteAddress: seen.remoteAddress,
            method,
            handlerSeesRequest: 'request' in seen,
          };
        });
      });
      const rpc = client(`${url}/rpc?room=7`, { headers: { 'x-agent': 'spec', cookie: 'sid=abc%20d' } });
      await expect(rpc.request('info')).resolves.toEqual({
        transport: 'http',
        url: '/rpc?room=7',
        agent: 'spec',
        cookies: { sid: 'abc d' },
        remoteAddress: '127.0.0.1',
        method: 'POST',
        handlerSeesRequest: false,
      });
    });

    it('gives each POST a session of its own, copied from the template', async () => {
      const url = await start(
        (peer) =>
          peer.handle('visit', (_p, { session }) => {
            const visits = session.visits as number[];
            visits.push(1);
            return visits.length;
          }),
        { peer: { session: { visits: [] } } },
      );
      const rpc = client(url);
      await expect(rpc.request('visit')).resolves.toBe(1);
      await expect(rpc.request('visit')).resolves.toBe(1);
    });

    it('waits for a setup that returns a promise before dispatching the body', async () => {
      const url = await start(async (peer) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        peer.handle('late', () => 'registered after an await');
      });
      await expect(client(url).request('late')).resolves.toBe('registered after an await');
    });

    it('answers 500 and reports when setup throws', async () => {
      const url = await start(() => {
        throw new Error('setup broke');
      });
      const reported = firstValueFrom(servers.at(-1)!.errors$);
      const answer = await post(`${url}/x`, call('ping'));
      expect(answer.status).toBe(500);
      expect(await reported).toMatchObject({
        name: 'HandlerError',
        message: 'setup() failed for the POST from 127.0.0.1 to /x: setup broke',
      });
    });
  });

  describe('pushing to the caller', () => {
    it('fails a call to the client at once with a non-retryable TransportError', async () => {
      const url = await start((peer) =>
        peer.handle('ask', async (_p, context) => {
          const started = Date.now();
          try {
            await context.peer.request('client.name');
            return 'answered';
          } catch (error) {
            const { name, message, retryable } = error as TransportError;
            return { name, message, retryable, ms: Date.now() - started };
          }
        }),
      );
      const seen = (await client(url).request('ask')) as { ms: number };
      expect(seen).toEqual({
        name: 'TransportError',
        message:
          'Request 1 (client.name) failed: Not sent to 127.0.0.1: over HTTP the server can only answer the POST ' +
          'and send notifications with it, not call its client (serve such methods over WebSocket)',
        retryable: false,
        ms: expect.any(Number) as number,
      });
      expect(seen.ms).toBeLessThan(1_000);
    });

    const tell = (peer: Peer) =>
      peer.handle('tell', (_p, context) => {
        context.peer.notify('news', ['hello']);
        context.peer.notify('news', ['line one\nline two']);
        return 'told';
      });

    it('sends the notifications a handler makes before its answer, as events of one event stream', async () => {
      const url = await start(tell);
      const rpc = client(url);
      const news: unknown[] = [];
      rpc.notifications$('news').subscribe((params) => news.push(params));
      await expect(rpc.request('tell')).resolves.toBe('told');
      expect(news).toEqual([['hello'], ['line one\nline two']]);
    });

    it("reports a handler's progress to requestWithProgress$() over HTTP, before the result", async () => {
      const url = await start((peer) =>
        peer.handle('build', (_params, { progress }) => {
          progress('half');
          return 'built';
        }),
      );
      const events = await lastValueFrom(requestWithProgress$(client(url), 'build', {}).pipe(toArray()));
      expect(events).toEqual([
        { kind: 'progress', progress: 'half' },
        { kind: 'result', result: 'built' },
      ]);
    });

    it('writes them as text/event-stream, the answer the last event, to a client that accepts one', async () => {
      const url = await start(tell);
      const answer = await post(url, call('tell'), { ...json, accept: 'application/json, text/event-stream' });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toBe('text/event-stream');
      expect(answer.headers.get('cache-control')).toBe('no-cache');
      const events = answer.text.split('\n\n').filter((event) => event !== '');
      expect(events.map((event) => JSON.parse(event.replace(/^event: message\ndata: /, '')) as unknown)).toEqual([
        { jsonrpc: '2.0', method: 'news', params: ['hello'] },
        { jsonrpc: '2.0', method: 'news', params: ['line one\nline two'] },
        { jsonrpc: '2.0', id: 1, result: 'told' },
      ]);
    });

    it('answers with plain JSON when the handler pushes nothing, even to a client that accepts a stream', async () => {
      const url = await start((peer) => peer.handle('math.sum', sum));
      const answer = await post(url, call('math.sum', [1, 2]), {
        ...json,
        accept: 'text/event-stream, application/json',
      });
      expect(answer.headers.get('content-type')).toBe('application/json');
      expect(JSON.parse(answer.text)).toEqual({ jsonrpc: '2.0', id: 1, result: 3 });
    });

    it("sends no notification to a client that takes JSON only, and reports it on the server's errors$", async () => {
      const url = await start(tell);
      const reported = firstValueFrom(servers.at(-1)!.errors$);
      const answer = await post(url, call('tell'), { ...json, accept: 'application/json' });
      expect(JSON.parse(answer.text)).toEqual({ jsonrpc: '2.0', id: 1, result: 'told' });
      const error = (await reported) as RpcError;
      expect(error).toBeInstanceOf(TransportError);
      expect(error.message).toMatch(
        /^Not sent to 127\.0\.0\.1: over HTTP the server can only answer the POST, not notify/,
      );
    });
  });
});
