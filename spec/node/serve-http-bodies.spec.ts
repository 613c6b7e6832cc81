import { once } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import { connect as tcpConnect } from 'node:net';
import { firstValueFrom } from 'rxjs';
import { serve, serveHttp, type JsonRpcServer, type ServeOptions, type SetupPeer } from 'rx-jsonrpc/node';

// What serve() makes of a POST's bytes: media types, a byte order mark, maxPayload 0, a body
// that is a JSON-RPC response, Expect: 100-continue, a request already set to strings.
const servers: JsonRpcServer[] = [];
const httpServers: Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close({ drain: 0 })));
  await Promise.all(httpServers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function start(options: ServeOptions = {}, setup?: SetupPeer): Promise<string> {
  const server = await serve({ port: 0, ...options }, setup ?? ((peer) => peer.handle('echo', (params) => params)));
  servers.push(server);
  return server.url!.replace('ws:', 'http:');
}

async function listen(listener: RequestListener): Promise<string> {
  const server = createServer(listener);
  httpServers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

const post = async (url: string, body: string | Uint8Array<ArrayBuffer>, type = 'application/json') => {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': type }, body });
  return { status: response.status, text: await response.text() };
};

const echo = (params: unknown) => JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'echo', params });

/** Writes `text` on a fresh socket to `url`; resolves with all it received once the server closes, or after `ms`. */
function exchange(url: string, text: string, ms = 2_000): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: hostname, port: Number(port) });
    let received = '';
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(received);
    };
    const timer = setTimeout(done, ms);
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('close', done);
    socket.on('error', done);
    socket.write(text);
  });
}

describe('serve() over HTTP: the bytes of a POST', () => {
  it('takes application/json-rpc and application/jsonrequest as geth does', async () => {
    const url = await start();
    for (const type of ['application/json-rpc', 'application/jsonrequest; charset=utf-8']) {
      expect(await post(url, echo(['a']), type)).toEqual({
        status: 200,
        text: '{"jsonrpc":"2.0","id":1,"result":["a"]}',
      });
    }
  });

  it('drops a byte order mark before the JSON', async () => {
    const url = await start();
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(echo(['bom']))]);
    expect(await post(url, new Uint8Array(body))).toEqual({
      status: 200,
      text: '{"jsonrpc":"2.0","id":1,"result":["bom"]}',
    });
  });

  it('takes a body of any size under maxPayload: 0, as ws does', async () => {
    const url = await start({ maxPayload: 0 }, (peer) => peer.handle('length', ([text]: [string]) => text.length));
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'length', params: ['x'.repeat(2_000_000)] });
    expect(await post(url, body)).toEqual({ status: 200, text: '{"jsonrpc":"2.0","id":1,"result":2000000}' });
  });

  it('answers 400 to a body that is a JSON-RPC response, and reports it as the peer does on a WebSocket', async () => {
    const url = await start();
    const reported = firstValueFrom(servers.at(-1)!.errors$);
    const answer = await post(`${url}/r`, '{"jsonrpc":"2.0","id":7,"result":3}');
    expect(answer).toEqual({
      status: 400,
      text: 'Bad Request: Response for unknown id 7; POST requests or notifications\n',
    });
    expect(await reported).toMatchObject({
      name: 'ProtocolError',
      message: 'Nothing to answer in the POST from 127.0.0.1 to /r: Response for unknown id 7',
    });
  });

  it('answers a request whose encoding something set to strings', async () => {
    const rpc = serveHttp({}, (peer) => peer.handle('echo', (params) => params));
    servers.push(rpc);
    const url = await listen((request, response) => {
      request.setEncoding('utf8');
      rpc.listener(request, response);
    });
    expect(await post(url, echo(['é', '€']))).toEqual({
      status: 200,
      text: '{"jsonrpc":"2.0","id":1,"result":["é","€"]}',
    });
  });

  describe('Expect: 100-continue', () => {
    const head = (type: string, length: number) =>
      `POST / HTTP/1.1\r\nHost: x\r\nContent-Type: ${type}\r\nContent-Length: ${length}\r\nExpect: 100-continue\r\n\r\n`;

    it('sends 100 Continue once the checks pass, then the answer', async () => {
      const url = await start();
      const body = echo(['go']);
      const seen = await exchange(url, head('application/json', body.length), 300);
      expect(seen).toBe('HTTP/1.1 100 Continue\r\n\r\n');
      const whole = await exchange(url, head('application/json', body.length) + body, 300);
      expect(whole).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
    });

    it('refuses without 100 Continue a wrong type (415), a refused token (401) and a body too large (413)', async () => {
      const url = await start({ maxPayload: 100, authenticate: (request) => request.headers['x-token'] === 'ok' });
      const wrongType = await exchange(url, head('text/plain', 10).replace('Host: x', 'Host: x\r\nX-Token: ok'));
      const noToken = await exchange(url, head('application/json', 10));
      const tooLarge = await exchange(
        url,
        head('application/json', 1_000).replace('Host: x', 'Host: x\r\nX-Token: ok'),
      );
      expect([wrongType, noToken, tooLarge].map((seen) => seen.slice(0, seen.indexOf('\r\n')))).toEqual([
        'HTTP/1.1 415 Unsupported Media Type',
        'HTTP/1.1 401 Unauthorized',
        'HTTP/1.1 413 Payload Too Large',
      ]);
    });
  });
});
