import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { expectHealthy, startTarget, stopTargets, type Target } from './harness/target';

// The attacked side is an http() client in a child process; the hostile server runs here.
// Each attack gets its own child: the harness's maxRss counts from the process's start.

const mib = 1_048_576;
/** What the server writes at most per attack, and for how long: never a loop without end. */
const writeBound = { bytes: 640 * mib, ms: 8_000 };
const chunk = Buffer.alloc(mib, 'a');

type Outcome = { ok: true; value: unknown } | { ok: false; name: string; message: string };

const servers: Server[] = [];
afterAll(async () => {
  await stopTargets();
  for (const server of servers) server.closeAllConnections();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

async function listen(respond: (request: IncomingMessage, response: ServerResponse) => void): Promise<string> {
  const server = createServer((request, response) => {
    request.resume();
    request.once('end', () => respond(request, response));
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as { port: number }).port}/rpc`;
}

/** Writes 1 MiB chunks until the client goes away or the bound is reached; resolves with the bytes written. */
async function pump(response: ServerResponse): Promise<number> {
  const started = Date.now();
  let closed = false;
  response.once('close', () => (closed = true));
  let written = 0;
  while (!closed && written < writeBound.bytes && Date.now() - started < writeBound.ms) {
    written += chunk.length;
    if (!response.write(chunk)) {
      // One wait per full buffer, its listeners removed after: no listener piles up on the response.
      const waiting = new AbortController();
      const wait = (event: string) => once(response, event, { signal: waiting.signal }).catch(() => undefined);
      await Promise.race([wait('drain'), wait('close')]);
      waiting.abort();
    }
  }
  if (!closed) response.end();
  return written;
}

/** A well-behaved server answering every call with "pong", for the fresh call. */
const wellBehaved = () =>
  listen((_, response) => response.writeHead(200).end('{"jsonrpc":"2.0","id":1,"result":"pong"}'));

let peers = 0;
async function freshCall(target: Target, url: string): Promise<void> {
  const name = `fresh-${++peers}`;
  await target.ask('open', { name, transport: 'http', url });
  const outcome = await target.ask<Outcome>('request', { name, method: 'ping' });
  expect(outcome).toEqual({ ok: true, value: 'pong' });
}

/** A child that has made one call already: loading fetch is not the attack's stall. */
async function warmTarget(fine: string): Promise<Target> {
  const target = await startTarget('client-peer');
  await freshCall(target, fine);
  await target.stats(true);
  return target;
}

describe('an http() client', () => {
  describe('when a response body never ends', () => {
    let written: Promise<number>;
    let target: Target;
    let url: string;
    let fine: string;
    beforeAll(async () => {
      url = await listen((_, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        written = pump(response);
      });
      fine = await wellBehaved();
      target = await warmTarget(fine);
    }, 20_000);

    it('stops reading at maxFrameSize, fails the call, and stays healthy', async () => {
      await target.ask('open', { name: 'attacked', transport: 'http', url, peer: { timeout: 20_000 } });
      const outcome = await target.ask<Outcome>('request', { name: 'attacked', method: 'ping' }, 20_000);
      expect(outcome).toEqual({
        ok: false,
        name: 'TransportError',
        message: `Request 1 (ping) failed: The response from ${url} is larger than maxFrameSize (67108864 bytes): request aborted`,
      });
      // Aborted as soon as the limit is passed: what the sockets held on the way is the slack.
      expect(await written).toBeLessThan(96 * mib);
      const stats = await expectHealthy(target, () => freshCall(target, fine), { maxRssMb: 300 });
      console.log(`endless body: ${Math.round(stats.maxRss / mib)} MiB RSS, ${Math.round(stats.maxLagMs)} ms lag`);
    }, 25_000);
  });

  describe('when a response announces a Content-Length of 1 GB', () => {
    let written: Promise<number>;
    let target: Target;
    let url: string;
    let fine: string;
    beforeAll(async () => {
      url = await listen((_, response) => {
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(1024 * mib) });
        written = pump(response);
      });
      fine = await wellBehaved();
      target = await warmTarget(fine);
    }, 20_000);

    it('refuses it before reading the body, and stays healthy', async () => {
      await target.ask('open', { name: 'attacked', transport: 'http', url, peer: { timeout: 20_000 } });
      const outcome = await target.ask<Outcome>('request', { name: 'attacked', method: 'ping' }, 20_000);
      expect(outcome).toEqual({
        ok: false,
        name: 'TransportError',
        message: `Request 1 (ping) failed: The response from ${url} announces 1073741824 bytes, more than maxFrameSize (67108864 bytes): request aborted`,
      });
      expect(await written).toBeLessThan(16 * mib);
      const stats = await expectHealthy(target, () => freshCall(target, fine), { maxRssMb: 200 });
      console.log(
        `1 GB Content-Length: ${Math.round(stats.maxRss / mib)} MiB RSS, ${Math.round(stats.maxLagMs)} ms lag`,
      );
    }, 25_000);
  });
});
