import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { expectHealthy, startTarget, stopTargets, type Target } from './harness/target';

// The attacked side is an http() client in a child process, reading event streams; the
// hostile server runs here. Each attack gets its own child: maxRss counts from its start.

const mib = 1_048_576;
/** What the server writes at most per attack, and for how long: never a loop without end. */
const writeBound = { bytes: 640 * mib, ms: 8_000 };

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

/** Starts an event stream and writes `chunk` again and again until the client goes away or the bound is reached. */
async function pump(response: ServerResponse, chunk: Buffer, prefix = ''): Promise<number> {
  response.writeHead(200, { 'content-type': 'text/event-stream' }).write(prefix);
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

/** 1 MiB of `event` over and over. */
const repeated = (event: string) => Buffer.from(event.repeat(Math.floor(mib / event.length)));

/** A well-behaved server answering every call with "pong" as an event stream. */
const wellBehaved = () =>
  listen((_, response) =>
    response
      .writeHead(200, { 'content-type': 'text/event-stream' })
      .end('data: {"jsonrpc":"2.0","id":1,"result":"pong"}\n\n'),
  );

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

describe('an http() client reading event streams', () => {
  describe('when a call’s stream never ends, full of answers to calls nobody made', () => {
    let written: Promise<number>;
    let target: Target;
    let url: string;
    let fine: string;
    beforeAll(async () => {
      url = await listen((_, response) => {
        written = pump(response, repeated('data: {"jsonrpc":"2.0","id":424242,"result":"stray"}\n\n'));
      });
      fine = await wellBehaved();
      target = await warmTarget(fine);
    }, 20_000);

    it('drops each as it comes, times the call out, aborts the stream, and stays healthy', async () => {
      await target.ask('open', { name: 'attacked', transport: 'http', url, peer: { timeout: 3_000 } });
      const outcome = await target.ask<Outcome>('request', { name: 'attacked', method: 'ping' }, 20_000);
      expect(outcome).toMatchObject({ ok: false, name: 'RequestTimeoutError' });
      const bytes = await written;
      const stats = await expectHealthy(target, () => freshCall(target, fine), { maxRssMb: 300 });
      console.log(
        `endless stream of stray answers: ${Math.round(bytes / mib)} MiB read in 3 s, ` +
          `${Math.round(stats.maxRss / mib)} MiB RSS, ${Math.round(stats.maxLagMs)} ms lag`,
      );
    }, 25_000);
  });

  describe('when an event line never ends', () => {
    let written: Promise<number>;
    let target: Target;
    let url: string;
    let fine: string;
    beforeAll(async () => {
      url = await listen((_, response) => {
        written = pump(response, Buffer.alloc(mib, 'a'), 'data: "');
      });
      fine = await wellBehaved();
      target = await warmTarget(fine);
    }, 20_000);

    it('aborts the stream at maxFrameSize, fails the call, and stays healthy', async () => {
      await target.ask('open', { name: 'attacked', transport: 'http', url, peer: { timeout: 20_000 } });
      const outcome = await target.ask<Outcome>('request', { name: 'attacked', method: 'ping' }, 20_000);
      expect(outcome).toEqual({
        ok: false,
        name: 'TransportError',
        message: `Request 1 (ping) failed: An event from ${url} is larger than maxFrameSize (67108864 bytes): stream aborted`,
      });
      expect(await written).toBeLessThan(96 * mib);
      const stats = await expectHealthy(target, () => freshCall(target, fine), { maxRssMb: 400 });
      console.log(
        `endless event line: ${Math.round(stats.maxRss / mib)} MiB RSS, ${Math.round(stats.maxLagMs)} ms lag`,
      );
    }, 25_000);
  });

  describe('when the standing stream never ends, full of notifications', () => {
    let written: Promise<number> | undefined;
    let target: Target;
    let url: string;
    let fine: string;
    beforeAll(async () => {
      url = await listen((request, response) => {
        if (request.method === 'GET') {
          written ??= pump(response, repeated('data: {"jsonrpc":"2.0","method":"tick","params":[1]}\n\n'));
          return;
        }
        response.writeHead(200).end('{"jsonrpc":"2.0","id":1,"result":"pong"}');
      });
      fine = await wellBehaved();
      target = await warmTarget(fine);
    }, 20_000);

    it('reads it for as long as it lasts without holding memory per event, and stays healthy', async () => {
      const transportOptions = { standingStream: true };
      await target.ask('open', { name: 'attacked', transport: 'http', url, transportOptions });
      const outcome = await target.ask<Outcome>('request', { name: 'attacked', method: 'ping' }, 20_000);
      expect(outcome).toEqual({ ok: true, value: 'pong' });
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      const stats = await expectHealthy(target, () => freshCall(target, fine), { maxRssMb: 300 });
      await target.ask('close', 'attacked');
      const bytes = await written;
      console.log(
        `endless standing stream: ${Math.round((bytes ?? 0) / mib)} MiB read, ` +
          `${Math.round(stats.maxRss / mib)} MiB RSS, ${Math.round(stats.maxLagMs)} ms lag`,
      );
      expect(bytes).toBeGreaterThan(8 * mib);
    }, 25_000);
  });

  describe('when every POST is answered 200 with an HTML page', () => {
    const posts = { count: 0 };
    let target: Target;
    let url: string;
    let fine: string;
    beforeAll(async () => {
      url = await listen((request, response) => {
        if (request.method === 'POST') posts.count++;
        response.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Welcome</body></html>');
      });
      fine = await wellBehaved();
      target = await warmTarget(fine);
    }, 20_000);

    it('fails the call with one POST, sends nothing back (no loop of parse errors), and stays healthy', async () => {
      await target.ask('open', { name: 'attacked', transport: 'http', url });
      const outcome = await target.ask<Outcome>('request', { name: 'attacked', method: 'ping' });
      expect(outcome).toEqual({
        ok: false,
        name: 'TransportError',
        message: `Request 1 (ping) failed: HTTP 200 OK from ${url} is not JSON (text/html): <html><body>Welcome</body></html>`,
      });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(posts.count).toBe(1);
      await expectHealthy(target, () => freshCall(target, fine), { maxRssMb: 300 });
      await target.ask('close', 'attacked');
    }, 15_000);
  });

  describe('when every answer stream ends cleanly after a priming event with retry: 0, and never answers', () => {
    const gets = { count: 0 };
    let target: Target;
    let url: string;
    let fine: string;
    beforeAll(async () => {
      url = await listen((request, response) => {
        if (request.method === 'GET') gets.count++;
        response
          .writeHead(200, { 'content-type': 'text/event-stream' })
          .end(`id: e${gets.count}\nretry: 0\ndata: \n\n`);
      });
      fine = await wellBehaved();
      target = await warmTarget(fine);
    }, 20_000);

    it('polls no faster than every 250 ms, stops when the call times out, and stays healthy', async () => {
      await target.ask('open', { name: 'attacked', transport: 'http', url, peer: { timeout: 2_000 } });
      const outcome = await target.ask<Outcome>('request', { name: 'attacked', method: 'ping' });
      expect(outcome).toMatchObject({ ok: false, name: 'RequestTimeoutError' });
      const atTimeout = gets.count;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      // 2 s at 250 ms at least between GETs: 8, and one more for timing.
      expect([atTimeout >= 5, atTimeout <= 9, gets.count - atTimeout]).toEqual([true, true, 0]);
      await expectHealthy(target, () => freshCall(target, fine), { maxRssMb: 300 });
      await target.ask('close', 'attacked');
    }, 15_000);
  });
});
