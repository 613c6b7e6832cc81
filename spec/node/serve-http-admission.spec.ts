import { firstValueFrom } from 'rxjs';
import { connect, http, TransportError, type Peer } from 'rx-jsonrpc';
import { serve, type JsonRpcServer, type ServeOptions, type SetupPeer } from 'rx-jsonrpc/node';

// What serve() lets through over HTTP before a peer exists: methods, paths, Content-Type,
// size and batch limits, authenticate, and the Origin policy with CORS. 127.0.0.1, port 0.
const servers: JsonRpcServer[] = [];
const clients: Peer[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(servers.splice(0).map((server) => server.close({ drain: 0 })));
});

async function start(options: ServeOptions = {}, setup?: SetupPeer): Promise<string> {
  const server = await serve({ port: 0, ...options }, setup ?? ((peer) => peer.handle('ping', () => 'pong')));
  servers.push(server);
  return server.url!.replace('ws:', 'http:');
}

const json = { 'content-type': 'application/json' };
const ping = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });
const pong = JSON.stringify({ jsonrpc: '2.0', id: 1, result: 'pong' });

/** Sends a request with fetch; the status, headers and text of the answer. */
async function send(url: string, init: RequestInit) {
  const response = await fetch(url, init);
  return { status: response.status, headers: response.headers, text: await response.text() };
}

const post = (url: string, body: string, headers: Record<string, string> = json) =>
  send(url, { method: 'POST', headers, body });

describe('serve() over HTTP: what it admits', () => {
  describe('methods and paths', () => {
    it('answers 405 with Allow: POST, OPTIONS to a method other than GET, POST and OPTIONS, HEAD too', async () => {
      const url = await start();
      for (const method of ['PUT', 'DELETE', 'PATCH']) {
        const answer = await send(url, { method, headers: json, body: ping });
        expect([answer.status, answer.headers.get('allow')]).toEqual([405, 'POST, OPTIONS']);
      }
      const head = await send(url, { method: 'HEAD' });
      expect([head.status, head.headers.get('allow')]).toEqual([405, 'POST, OPTIONS']);
    });

    it('answers a GET without Upgrade with 426 naming both ways in, and OPTIONS without Origin with 204 and Allow', async () => {
      const url = await start();
      const get = await send(url, { method: 'GET' });
      expect([get.status, get.text]).toEqual([
        426,
        'JSON-RPC here: upgrade to WebSocket, or POST calls with Content-Type: application/json.\n',
      ]);
      const options = await send(url, { method: 'OPTIONS' });
      expect([options.status, options.headers.get('allow')]).toEqual([204, 'POST, OPTIONS']);
    });

    it('answers POSTs on its path only, 404 elsewhere', async () => {
      const url = await start({ path: '/rpc' });
      expect(await post(`${url}/rpc?x=1`, ping)).toMatchObject({ status: 200, text: pong });
      expect((await post(`${url}/other`, ping)).status).toBe(404);
    });
  });

  describe('Content-Type', () => {
    it('refuses a body that is not application/json with 415', async () => {
      const url = await start();
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1']) {
        const answer = await post(url, ping, { 'content-type': type });
        expect([type, answer.status, answer.text]).toEqual([
          type,
          415,
          'Unsupported Media Type: send Content-Type: application/json\n',
        ]);
      }
      expect((await send(url, { method: 'POST', body: new Uint8Array(Buffer.from(ping)) })).status).toBe(415);
    });

    it('accepts a charset of UTF-8, in any case', async () => {
      const url = await start();
      for (const type of ['application/json; charset=utf-8', 'Application/JSON;charset="UTF-8"']) {
        expect(await post(url, ping, { 'content-type': type })).toMatchObject({ status: 200, text: pong });
      }
    });
  });

  describe('limits', () => {
    it('refuses a body over maxPayload with 413, and the http() client fails with that status', async () => {
      const url = await start({ maxPayload: 1_000 });
      const answer = await post(
        url,
        JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: ['x'.repeat(2_000)] }),
      );
      expect([answer.status, answer.text]).toEqual([413, 'Payload Too Large: the body is over 1000 bytes\n']);
      const rpc = connect(http(url), { timeout: 5_000 });
      clients.push(rpc);
      const error = await rpc.request('ping', ['x'.repeat(2_000)]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransportError);
      expect(error).toMatchObject({ status: 413, retryable: false });
      await expect(rpc.request('ping')).resolves.toBe('pong');
    });

    it('refuses a body sent without Content-Length as soon as it passes maxPayload', async () => {
      const url = await start({ maxPayload: 1_000 });
      const chunks = [ping.slice(0, -1), `,"params":["${'x'.repeat(2_000)}"]}`];
      const body = new ReadableStream<Uint8Array>({
        pull: (controller) => {
          const chunk = chunks.shift();
          if (chunk === undefined) controller.close();
          else controller.enqueue(new TextEncoder().encode(chunk));
        },
      });
      const answer = await send(url, { method: 'POST', headers: json, body, duplex: 'half' } as RequestInit);
      expect(answer.status).toBe(413);
    });

    it("refuses a batch larger than the peer's maxBatchSize with one Invalid Request", async () => {
      const url = await start({ peer: { maxBatchSize: 2 } });
      const answer = await post(url, `[${[ping, ping, ping].join(',')}]`);
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.text)).toMatchObject({ id: null, error: { code: -32600, message: 'Invalid Request' } });
    });

    it('answers -32001 when a handler passes handlerTimeout, as on a WebSocket', async () => {
      const url = await start({ peer: { handlerTimeout: 30 } }, (peer) =>
        peer.handle('slow', () => new Promise((resolve) => setTimeout(resolve, 1_000))),
      );
      const answer = await post(url, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'slow' }));
      expect(JSON.parse(answer.text)).toMatchObject({ id: 1, error: { code: -32001 } });
    });
  });

  describe('authenticate', () => {
    const authenticate: ServeOptions['authenticate'] = (request) =>
      request.headers.authorization === 'Bearer token-ada' ? { user: 'ada' } : false;
    const whoami: SetupPeer = (peer) => peer.handle('whoami', (_p, { session }) => session.user);

    it('refuses a POST without a valid token with 401, running no setup', async () => {
      let setups = 0;
      const url = await start({ authenticate }, () => void setups++);
      const rpc = connect(http(url, { auth: { bearer: 'wrong' } }));
      clients.push(rpc);
      await expect(rpc.request('whoami')).rejects.toMatchObject({ name: 'TransportError', status: 401 });
      expect(setups).toBe(0);
    });

    it('starts the session of the POST with what authenticate returned', async () => {
      const url = await start({ authenticate }, whoami);
      const rpc = connect(http(url, { auth: { bearer: 'token-ada' } }));
      clients.push(rpc);
      await expect(rpc.request('whoami')).resolves.toBe('ada');
    });

    it('refuses with 500 and reports when authenticate throws', async () => {
      const url = await start(
        {
          authenticate: () => {
            throw new Error('token store down');
          },
        },
        whoami,
      );
      const reported = firstValueFrom(servers.at(-1)!.errors$);
      expect((await post(`${url}/a`, ping)).status).toBe(500);
      expect(await reported).toMatchObject({ message: 'authenticate() failed for /a: token store down' });
    });
  });

  describe('origins and CORS', () => {
    const page = 'http://app.example';

    it('refuses a POST and a preflight from an origin the policy does not allow with 403', async () => {
      const url = await start();
      expect((await post(url, ping, { ...json, origin: page })).status).toBe(403);
      const preflight = await send(url, {
        method: 'OPTIONS',
        headers: { origin: page, 'access-control-request-method': 'POST' },
      });
      expect(preflight.status).toBe(403);
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('answers the preflight of an allowed origin with 204, POST and the headers asked for, varying on them', async () => {
      const url = await start({ origins: [page] });
      const preflight = await send(url, {
        method: 'OPTIONS',
        headers: {
          origin: page,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type, authorization',
        },
      });
      expect(preflight.status).toBe(204);
      const headers: Record<string, string> = {};
      preflight.headers.forEach((value, name) => (headers[name] = value));
      expect(headers).toMatchObject({
        'access-control-allow-origin': page,
        'access-control-allow-methods': 'POST',
        'access-control-allow-headers': 'content-type, authorization',
        'access-control-allow-credentials': 'true',
        'access-control-max-age': '600',
        vary: 'Origin, Access-Control-Request-Headers',
      });
    });

    it('lets an allowed origin read the answer, with its cookies unless the policy is *', async () => {
      const listed = await start({ origins: [page] });
      const answer = await post(listed, ping, { ...json, origin: page });
      expect([answer.status, answer.text]).toEqual([200, pong]);
      expect(answer.headers.get('access-control-allow-origin')).toBe(page);
      expect(answer.headers.get('access-control-allow-credentials')).toBe('true');
      expect(answer.headers.get('vary')).toBe('Origin');
      const anyone = await start({ origins: '*' });
      const open = await post(anyone, ping, { ...json, origin: 'http://other.example' });
      expect(open.headers.get('access-control-allow-origin')).toBe('http://other.example');
      expect(open.headers.get('access-control-allow-credentials')).toBeNull();
    });

    it('sends no CORS header to a client without Origin', async () => {
      const answer = await post(await start({ origins: [page] }), ping);
      expect(answer.headers.get('access-control-allow-origin')).toBeNull();
      expect(answer.headers.get('vary')).toBe('Origin');
    });
  });
});
