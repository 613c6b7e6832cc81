import { once } from 'node:events';
import { WebSocketServer, type WebSocket } from 'ws';
import { expectHealthy, startTarget, stopTargets, type Target } from './harness/target';

// The attacked side is a client in a child process (webSocket() of rx-jsonrpc/node); the
// hostile server runs here. Each attack gets its own child: the harness's maxRss counts
// from the process's start.

const mib = 1_048_576;

type Outcome = { ok: true; value: unknown } | { ok: false; name: string; message: string };
type Call = { id?: number; method: string };

const servers: WebSocketServer[] = [];
afterAll(async () => {
  await stopTargets();
  for (const server of servers) for (const client of server.clients) client.terminate();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A ws server; `onCall` sees each call of each connection (numbered from 1), after `onOpen`. */
async function listen(
  onCall: (socket: WebSocket, call: Call, connection: number) => void,
  onOpen: (socket: WebSocket, connection: number) => void = () => undefined,
): Promise<string> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  servers.push(server);
  let connections = 0;
  server.on('connection', (socket) => {
    const connection = ++connections;
    socket.on('message', (data) => onCall(socket, JSON.parse(String(data)) as Call, connection));
    onOpen(socket, connection);
  });
  await once(server, 'listening');
  return `ws://127.0.0.1:${(server.address() as { port: number }).port}`;
}

const answer = (socket: WebSocket, call: Call, result: unknown) =>
  socket.send(JSON.stringify({ jsonrpc: '2.0', id: call.id, result }));

/** Asks the child `command` until `done` holds, for at most `ms`. */
async function poll<T>(target: Target, command: string, argument: unknown, done: (value: T) => boolean, ms = 10_000) {
  const until = Date.now() + ms;
  for (;;) {
    const value = await target.ask<T>(command, argument);
    if (done(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

let peers = 0;
async function freshCall(target: Target, url: string): Promise<void> {
  const name = `fresh-${++peers}`;
  await target.ask('open', { name, transport: 'webSocket', url });
  expect(await target.ask<Outcome>('request', { name, method: 'ping' })).toEqual({ ok: true, value: 'pong' });
  await target.ask('close', name);
}

/** A child that has made one call already: loading ws is not the attack's stall. */
async function warmTarget(url: string): Promise<Target> {
  const target = await startTarget('client-peer');
  await freshCall(target, url);
  await target.stats(true);
  return target;
}

describe('a webSocket() client of rx-jsonrpc/node', () => {
  describe('when the server sends a message of 100 MiB', () => {
    let target: Target;
    let url: string;
    beforeAll(async () => {
      // Allocated once; "a" is valid UTF-8, so only the size can refuse it.
      const big = Buffer.alloc(100 * mib, 'a');
      url = await listen(
        (socket, call) => answer(socket, call, 'pong'),
        (socket, connection) => {
          if (connection === 2) socket.send(big, { binary: false });
        },
      );
      target = await warmTarget(url);
    }, 20_000);

    it('closes with 1009 before reading it, reconnects, and stays healthy', async () => {
      await target.ask('open', { name: 'attacked', transport: 'webSocket', url, peer: { reconnect: true } });
      const states = await poll<string[]>(
        target,
        'states',
        'attacked',
        (seen) => seen.at(-1) === 'open' && seen.length > 2,
      );
      expect(states).toEqual(['connecting', 'open', 'reconnecting 1009', 'open']);
      expect(await target.ask<Outcome>('request', { name: 'attacked', method: 'ping' })).toEqual({
        ok: true,
        value: 'pong',
      });
      const stats = await expectHealthy(target, () => freshCall(target, url), { maxRssMb: 200 });
      console.log(`100 MiB message: ${Math.round(stats.maxRss / mib)} MiB RSS, ${Math.round(stats.maxLagMs)} ms lag`);
    }, 25_000);
  });

  describe('when notifications for unknown subscription ids flood an unanswered subscribe call', () => {
    const floodCount = 1000;
    let target: Target;
    let url: string;
    let flooded: Promise<void>;
    beforeAll(async () => {
      // 1,000 of 192 KiB, built once: a buffer capped at 1,000 by count keeps them all.
      const note = Buffer.from(
        `{"jsonrpc":"2.0","method":"tick","params":{"subscription":"other","result":"${'a'.repeat(192 * 1024)}"}}`,
      );
      const tick = (result: string) =>
        JSON.stringify({ jsonrpc: '2.0', method: 'tick', params: { subscription: 'real', result } });
      url = await listen((socket, call) => {
        if (call.method !== 'subscribe') return answer(socket, call, 'pong');
        flooded = (async () => {
          for (let sent = 0; sent < floodCount && socket.readyState === socket.OPEN; sent++) {
            await new Promise((resolve) => socket.send(note, { binary: false }, resolve));
          }
          socket.send(tick('early'));
          answer(socket, call, 'real');
          socket.send(tick('late'));
        })();
      });
      target = await warmTarget(url);
    }, 20_000);

    it('keeps them within its byte budget, delivers its own, and stays healthy', async () => {
      await target.ask('open', { name: 'attacked', transport: 'webSocket', url });
      await target.ask('subscribe', { name: 'attacked', method: 'subscribe', notification: 'tick' });
      await poll(target, 'states', 'attacked', () => flooded !== undefined);
      await flooded;
      const received = await poll<{ values: unknown[] }>(
        target,
        'received',
        'attacked',
        (seen) => seen.values.length >= 2,
      );
      expect(received).toEqual({ values: ['early', 'late'], errors: [] });
      // 300 ms, not 200: 192 MB arrive as fast as loopback carries them, and one turn of the loop
      // reads up to 2 MiB (libuv's 32 reads of 64 KiB), about ten of these 192 KiB messages to check
      // and parse at once; profiled alone: ~100 ms with its GC, 113-170 ms beside other suites, 219 ms once in CI.
      const stats = await expectHealthy(target, () => freshCall(target, url), { maxRssMb: 160, maxLagMs: 300 });
      console.log(
        `notification flood: ${Math.round(stats.maxRss / mib)} MiB RSS, ${Math.round(stats.maxLagMs)} ms lag`,
      );
    }, 25_000);
  });
});
