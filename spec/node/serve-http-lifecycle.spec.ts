import { once } from 'node:events';
import { createServer, request as httpRequest, type RequestListener, type Server } from 'node:http';
import { firstValueFrom } from 'rxjs';
import { connect, http, positional, type Peer } from 'rx-jsonrpc';
import { serve, serveHttp, webSocket, type JsonRpcServer } from 'rx-jsonrpc/node';

// The life of a POST: a client that leaves, a server that closes, and the handler mounted
// in a server of the user's. Everything on 127.0.0.1, port 0.
const servers: JsonRpcServer[] = [];
const httpServers: Server[] = [];
const clients: Peer[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(servers.splice(0).map((server) => server.close({ drain: 0 })));
  await Promise.all(httpServers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function listen(listener: RequestListener): Promise<string> {
  const server = createServer(listener);
  httpServers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

function client(url: string): Peer {
  const peer = connect(http(url), { timeout: 5_000 });
  clients.push(peer);
  return peer;
}

const sum = positional((a: number, b: number) => a + b);

describe('serve() over HTTP: the life of a POST', () => {
  it("aborts the handlers' signal when the client goes away before its answer", async () => {
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    let aborted!: (reason: unknown) => void;
    const abort = new Promise((resolve) => (aborted = resolve));
    const server = await serve({ port: 0 }, (peer) =>
      peer.handle('long', (_p, { signal }) => {
        signal.addEventListener('abort', () => aborted(signal.reason));
        started();
        return new Promise(() => undefined);
      }),
    );
    servers.push(server);
    const controller = new AbortController();
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'long' });
    const url = server.url!.replace('ws:', 'http:');
    const fetched = fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      signal: controller.signal,
    });
    fetched.catch(() => undefined);
    await running;
    controller.abort();
    expect(await abort).toBeDefined();
  });

  it('lets a POST in flight finish when the server closes with drain, and refuses new ones', async () => {
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const server = await serve({ port: 0 }, (peer) =>
      peer.handle('slow', () => {
        started();
        return new Promise((resolve) => setTimeout(() => resolve('done'), 100));
      }),
    );
    const url = server.url!.replace('ws:', 'http:');
    const rpc = client(url);
    const call = rpc.request('slow');
    await running;
    const closed = server.close({ drain: 2_000 });
    await expect(call).resolves.toBe('done');
    await closed;
    await expect(client(url).request('slow')).rejects.toMatchObject({ name: 'TransportError' });
  });

  it('answers a call whose handler closes the server with its result, not 503', async () => {
    let runs = 0;
    const server: JsonRpcServer = await serve({ port: 0 }, (peer) => {
      peer.handle('shutdown', () => {
        runs++;
        void server.close({ drain: 2_000 });
        return 'bye';
      });
    });
    servers.push(server);
    const response = await fetch(server.url!.replace('ws:', 'http:'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"jsonrpc":"2.0","id":1,"method":"shutdown"}',
    });
    // A 503 says "not run, retry": a client would run a method that did run again.
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ jsonrpc: '2.0', id: 1, result: 'bye' });
    expect(response.headers.get('connection')).toBe('close');
    expect(runs).toBe(1);
  });

  it('answers 503 to a POST still unanswered when the drain ends', async () => {
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const server = await serve({ port: 0 }, (peer) =>
      peer.handle('never', () => {
        started();
        return new Promise(() => undefined);
      }),
    );
    const rpc = client(server.url!.replace('ws:', 'http:'));
    const call = rpc.request('never').catch((e: unknown) => e);
    await running;
    await server.close({ drain: 20 });
    expect(await call).toMatchObject({ name: 'TransportError', status: 503, retryable: true });
  });

  describe('serveHttp', () => {
    it('mounts in a node:http server of the user, beside its own routes', async () => {
      const rpc = serveHttp({}, (peer) => peer.handle('math.sum', sum));
      servers.push(rpc);
      const url = await listen((request, response) => {
        if (request.url === '/rpc') rpc.listener(request, response);
        else response.writeHead(200, { 'content-type': 'text/plain' }).end('the app\n');
      });
      await expect(client(`${url}/rpc`).request('math.sum', [2, 2])).resolves.toBe(4);
      expect(await (await fetch(`${url}/`)).text()).toBe('the app\n');
      expect(rpc.peers.size).toBe(0);
      expect(rpc.url).toBeUndefined();
    });

    it('answers 405 to a GET, having no WebSocket to upgrade to', async () => {
      const rpc = serveHttp({}, () => undefined);
      servers.push(rpc);
      const response = await fetch(await listen(rpc.listener));
      expect([response.status, response.headers.get('allow')]).toEqual([405, 'POST, OPTIONS']);
    });

    it('answers 500 and reports a body that something read before it', async () => {
      const rpc = serveHttp({}, () => undefined);
      servers.push(rpc);
      const reported = firstValueFrom(rpc.errors$);
      const url = await listen((request, response) => {
        request.resume();
        request.once('end', () => rpc.listener(request, response));
      });
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(response.status).toBe(500);
      expect((await reported).message).toMatch(/its body was read before \(by a body parser\?\)$/);
    });

    it('throws a TypeError for an origins entry that is no origin, as serve() does', () => {
      expect(() => serveHttp({ origins: ['not an origin'] }, () => undefined)).toThrow(TypeError);
    });
  });

  describe('serve() attached to a server of the user', () => {
    it('leaves the requests to it, and serves POSTs where it mounts server.listener', async () => {
      let listener: RequestListener = (_request, response) => response.writeHead(404).end();
      const url = await listen((request, response) => listener(request, response));
      const server = await serve({ server: httpServers[0]!, path: '/rpc' }, (peer) => peer.handle('math.sum', sum));
      servers.push(server);
      expect((await fetch(`${url}/rpc`, { method: 'POST' })).status).toBe(404);
      listener = (request, response) => server.listener(request, response);
      await expect(client(`${url}/rpc`).request('math.sum', [1, 2])).resolves.toBe(3);
      const ws = connect(webSocket(`${url.replace('http:', 'ws:')}/rpc`));
      clients.push(ws);
      await expect(ws.request('math.sum', [3, 4])).resolves.toBe(7);
    });
  });

  it('answers every request even when the client sends a body and then stops', async () => {
    const server = await serve({ port: 0 }, () => undefined);
    servers.push(server);
    const { port } = new URL(server.url!);
    const status = await new Promise<number | undefined>((resolve) => {
      const request = httpRequest(
        { host: '127.0.0.1', port, method: 'DELETE', path: '/', headers: { 'content-length': '100' } },
        (response) => resolve(response.statusCode),
      );
      request.on('error', () => resolve(undefined));
      request.write('{"partial":');
    });
    expect(status).toBe(405);
  });
});
