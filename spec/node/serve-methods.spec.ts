import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import {
  connect,
  ConnectionClosedError,
  http,
  positional,
  type HandlerContext,
  type Peer,
  type RpcError,
} from 'rx-jsonrpc';
import { serve, serveHttp, webSocket, type JsonRpcServer, type ServeOptions } from 'rx-jsonrpc/node';
import type { HandlerTree } from 'rx-jsonrpc';
import { keptLog } from '../helpers/kept-log';

// serve(options, methods): one table of methods for every client, registered once; a lone
// HTTP POST is answered with it and no peer of its own. Everything on 127.0.0.1, port 0.
const servers: JsonRpcServer[] = [];
const clients: Peer[] = [];
const listening: Server[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(servers.splice(0).map((server) => server.close({ drain: 0 })));
  await Promise.all(listening.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function start(methods: HandlerTree, options: ServeOptions = {}): Promise<JsonRpcServer> {
  const server = await serve({ port: 0, ...options }, methods);
  servers.push(server);
  return server;
}

const httpUrl = (server: JsonRpcServer) => server.url!.replace('ws:', 'http:');

function client(url: string): Peer {
  const peer = connect(url.startsWith('ws:') ? webSocket(url) : http(url), { timeout: 5_000 });
  clients.push(peer);
  return peer;
}

const json = { 'content-type': 'application/json' };

async function post(url: string, body: string, headers: Record<string, string> = json) {
  const response = await fetch(url, { method: 'POST', headers, body });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

const call = (method: string, params?: unknown, id: number | null = 1) =>
  JSON.stringify({ jsonrpc: '2.0', method, params, ...(id === null ? {} : { id }) });

const methods = {
  math: { sum: positional((a: number, b: number) => a + b) },
  ping: () => 'pong',
};

describe('serve() served by its methods', () => {
  it('answers WebSocket clients and HTTP POSTs from one table, namespaces included', async () => {
    const server = await start(methods);
    await expect(client(server.url!).request('math.sum', [1, 2])).resolves.toBe(3);
    await expect(client(httpUrl(server)).request('math.sum', [3, 4])).resolves.toBe(7);
    await expect(client(httpUrl(server)).request('ping')).resolves.toBe('pong');
  });

  it('serves a peer its own handlers before the server methods', async () => {
    const server = await start(methods);
    const rpc = client(server.url!);
    await expect(rpc.request('ping')).resolves.toBe('pong');
    const [peer] = [...server.peers];
    peer!.handle('ping', () => 'its own');
    await expect(rpc.request('ping')).resolves.toBe('its own');
    await expect(rpc.request('math.sum', [1, 1])).resolves.toBe(2);
  });

  it('answers a batch in one array, a notification with 204, an unknown method -32601, a throwing handler -32603', async () => {
    const errors: RpcError[] = [];
    const server = await start({ ...methods, fail: () => Promise.reject(new Error('disk full')) });
    server.errors$.subscribe((error) => errors.push(error));
    const url = httpUrl(server);
    const batch = await post(
      url,
      `[${call('math.sum', [1, 2], 1)},${call('ping', undefined, null)},${call('nope', [], 2)}]`,
    );
    expect(batch.status).toBe(200);
    expect(JSON.parse(batch.text)).toEqual([
      { jsonrpc: '2.0', id: 1, result: 3 },
      { jsonrpc: '2.0', id: 2, error: { code: -32601, message: 'Method not found' } },
    ]);
    expect(await post(url, call('ping', undefined, null))).toMatchObject({ status: 204, text: '' });
    const failed = await post(url, call('fail'));
    expect(JSON.parse(failed.text)).toEqual({
      jsonrpc: '2.0',
      id: 1,
      error: { code: -32603, message: 'Internal error' },
    });
    expect(errors.map((error) => [error.name, error.message])).toEqual([
      ['HandlerError', expect.stringContaining('disk full')],
    ]);
  });

  it('answers a response with 400 and reports it, as a server with a setup function does', async () => {
    const errors: RpcError[] = [];
    const server = await start(methods);
    server.errors$.subscribe((error) => errors.push(error));
    const answer = await post(httpUrl(server), JSON.stringify({ jsonrpc: '2.0', id: 9, result: 1 }));
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('Response for unknown id 9');
    expect(errors.map((error) => error.message)).toEqual([expect.stringContaining('Response for unknown id 9')]);
  });

  it('hands each POST a fresh session (the peer.session template and what authenticate returned) and its connection', async () => {
    const seen = (params: unknown, { session, connection }: HandlerContext) => {
      session.count = (session.count as number) + 1;
      return { ...session, agent: connection?.headers?.['x-agent'] };
    };
    const server = await start(
      { seen },
      { peer: { session: { count: 0 } }, authenticate: (request) => ({ user: request.headers['x-user'] }) },
    );
    const headers = { ...json, 'x-user': 'ann', 'x-agent': 'spec' };
    for (const id of [1, 2]) {
      const answer = await post(httpUrl(server), call('seen', [], id), headers);
      expect(JSON.parse(answer.text)).toEqual({ jsonrpc: '2.0', id, result: { count: 1, user: 'ann', agent: 'spec' } });
    }
  });

  it('makes the POST its peer when a handler reads context.peer: its notifications go out first on an event stream, and are reported without one', async () => {
    const errors: RpcError[] = [];
    const tell = (params: unknown, { peer }: HandlerContext) => {
      peer.notify('note', ['first']);
      return 'sent';
    };
    const server = await start({ tell });
    server.errors$.subscribe((error) => errors.push(error));
    const url = httpUrl(server);
    const streamed = await post(url, call('tell'), { ...json, accept: 'application/json, text/event-stream' });
    expect(streamed.type).toBe('text/event-stream');
    const events = streamed.text
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => JSON.parse(line.slice(6)) as unknown);
    expect(events).toEqual([
      { jsonrpc: '2.0', method: 'note', params: ['first'] },
      { jsonrpc: '2.0', id: 1, result: 'sent' },
    ]);
    const plain = await post(url, call('tell'));
    expect(JSON.parse(plain.text)).toEqual({ jsonrpc: '2.0', id: 1, result: 'sent' });
    expect(errors.map((error) => [error.name, error.message])).toEqual([
      [
        'TransportError',
        expect.stringMatching(/^Not sent to 127\.0\.0\.1: over HTTP the server can only answer the POST, not notify/),
      ],
    ]);
  });

  it('hands a handler that reads context.peer after its POST was answered a closed peer, which sends nothing', async () => {
    const errors: RpcError[] = [];
    let late: unknown;
    const lingering = async (params: unknown, context: HandlerContext) => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      try {
        context.peer.notify('late');
        late = 'sent';
      } catch (error) {
        late = error;
      }
    };
    const server = await start({ lingering }, { peer: { handlerTimeout: 30 } });
    server.errors$.subscribe((error) => errors.push(error));
    const answer = await post(httpUrl(server), call('lingering'));
    expect(JSON.parse(answer.text)).toMatchObject({ id: 1, error: { code: -32001 } });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(late).toBeInstanceOf(ConnectionClosedError);
    expect(errors.map((error) => error.name)).toEqual(['HandlerError']);
  });

  it('ends the POST when a handler closes context.peer, as a peer of its own would: no answer, the rest given up', async () => {
    let aborted = false;
    const server = await start({
      leave: (params: unknown, { peer }: HandlerContext) => {
        void peer.close();
        return 'bye';
      },
      slow: (params: unknown, { signal }: HandlerContext) =>
        new Promise((resolve) => signal.addEventListener('abort', () => resolve((aborted = true)))),
    });
    const url = httpUrl(server);
    expect(await post(url, call('leave'))).toMatchObject({ status: 204, text: '' });
    expect(await post(url, `[${call('slow', [], 1)},${call('leave', [], 2)}]`)).toMatchObject({ status: 204 });
    expect(aborted).toBe(true);
  });

  it('gives up a handler past handlerTimeout (-32001) and aborts its signal', async () => {
    let aborted = false;
    const slow = (params: unknown, { signal }: HandlerContext) =>
      new Promise((resolve) => signal.addEventListener('abort', () => resolve((aborted = true))));
    const server = await start({ slow }, { peer: { handlerTimeout: 50 }, log: false });
    const answer = await post(httpUrl(server), call('slow'));
    expect(JSON.parse(answer.text)).toMatchObject({ id: 1, error: { code: -32001 } });
    expect(aborted).toBe(true);
  });

  /** A promise resolved when a handler starts, and the function that resolves it: steps wait for it, not for a time. */
  const started = () => {
    let begin: () => void = () => undefined;
    const begun = new Promise<void>((resolve) => (begin = resolve));
    return { begun, begin };
  };

  it('aborts the signal of a call whose client went away', async () => {
    let abort: () => void = () => undefined;
    const gone = new Promise<string>((resolve) => (abort = () => resolve('aborted')));
    const { begun, begin } = started();
    const wait = (params: unknown, { signal }: HandlerContext) => {
      begin();
      return new Promise(() => signal.addEventListener('abort', abort));
    };
    const server = await start({ wait });
    const leaving = new AbortController();
    const asked = fetch(httpUrl(server), { method: 'POST', headers: json, body: call('wait'), signal: leaving.signal });
    await begun;
    leaving.abort();
    await expect(asked).rejects.toThrow();
    await expect(gone).resolves.toBe('aborted');
  });

  it('answers a call still running when the server closes with a drain long enough', async () => {
    const { begun, begin } = started();
    const later = () => {
      begin();
      return new Promise((resolve) => setTimeout(() => resolve('done'), 100));
    };
    const server = await start({ later });
    const asked = post(httpUrl(server), call('later'));
    await begun;
    await server.close({ drain: 2_000 });
    expect(JSON.parse((await asked).text)).toEqual({ jsonrpc: '2.0', id: 1, result: 'done' });
  });

  it('answers 503 and aborts a call that outlasts the drain', async () => {
    let aborted = false;
    const { begun, begin } = started();
    const stuck = (params: unknown, { signal }: HandlerContext) => {
      begin();
      return new Promise(() => signal.addEventListener('abort', () => (aborted = true)));
    };
    const server = await start({ stuck });
    const asked = post(httpUrl(server), call('stuck'));
    await begun;
    await server.close({ drain: 50 });
    expect((await asked).status).toBe(503);
    expect(aborted).toBe(true);
  });

  it('logs each call with logCalls, as a server with a setup function does', async () => {
    const log = keptLog();
    const server = await start(methods, { log, logCalls: true });
    await expect(client(httpUrl(server)).request('ping')).resolves.toBe('pong');
    await expect(client(server.url!).request('ping')).resolves.toBe('pong');
    const answers = log.lines.filter((line) => String(line.values[1]).startsWith('rx-jsonrpc: answer ping'));
    expect(answers).toHaveLength(2);
  });

  it('serves the methods to the peer of each HTTP session', async () => {
    const server = await start({ ...methods, initialize: () => ({}) }, { sessions: { opener: 'initialize' } });
    const url = httpUrl(server);
    const opened = await fetch(url, { method: 'POST', headers: json, body: call('initialize') });
    const session = opened.headers.get('mcp-session-id');
    expect(session).toEqual(expect.any(String));
    const answer = await post(url, call('math.sum', [2, 2], 2), { ...json, 'mcp-session-id': session! });
    expect(JSON.parse(answer.text)).toEqual({ jsonrpc: '2.0', id: 2, result: 4 });
  });

  it('answers with a serveHttp() listener mounted in a node:http server', async () => {
    const rpc = serveHttp({}, methods);
    const server = createServer(rpc.listener).listen(0, '127.0.0.1');
    listening.push(server);
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    await expect(client(`http://127.0.0.1:${port}/`).request('math.sum', [5, 6])).resolves.toBe(11);
    await rpc.close();
  });

  it('refuses at start, with a TypeError, what is neither a setup function nor a plain object of methods', async () => {
    await expect(serve({ port: 0 }, [] as never)).rejects.toThrow(
      new TypeError('serve(): pass a setup function, or a plain object of methods to serve'),
    );
    await expect(serve({ port: 0 }, { a: 1 } as never)).rejects.toThrow(/^serve\(\): .*a is neither a function/);
    expect(() => serveHttp({}, { b: 'x' } as never)).toThrow(/^serveHttp\(\): .*b is neither a function/);
    expect(() => serveHttp({}, { 'rpc.x': () => 1 })).toThrow(
      'serveHttp(): methods named "rpc.*" are reserved: serve them with a setup function, peer.handleAll(methods, { reserved: true })',
    );
  });
});
