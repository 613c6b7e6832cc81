// keepAlive(): serve()'s and the Node client's ping/pong liveness, on real sockets.
import { keepAlive, serve, webSocket, type JsonRpcServer } from 'rx-jsonrpc/node';
import { WebSocket } from 'ws';

let server: JsonRpcServer | undefined;
const sockets: WebSocket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate();
  await server?.close({ drain: 0 });
  server = undefined;
});

async function open(options: {
  autoPong: boolean;
}): Promise<{ socket: WebSocket; pings: number[]; closed: Promise<number> }> {
  const socket = new WebSocket(server?.url ?? '', options);
  sockets.push(socket);
  const pings: number[] = [];
  socket.on('ping', () => pings.push(Date.now()));
  const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
  await new Promise((resolve) => socket.once('open', resolve));
  return { socket, pings, closed };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

/** Resolves once the count of timers has not changed for 100 ms (2 s at most). */
async function settledTimers(): Promise<void> {
  const deadline = Date.now() + 2_000;
  let count = timers();
  let since = Date.now();
  while (Date.now() - since < 100 && Date.now() < deadline) {
    await sleep(10);
    if (timers() !== count) [count, since] = [timers(), Date.now()];
  }
}

describe('serve() keeps its clients alive with pings', () => {
  it('pings a client about once per interval and keeps it while it answers', async () => {
    server = await serve({ port: 0, heartbeat: { interval: 80, timeout: 80 } }, () => undefined);
    const started = Date.now();
    const alive = await Promise.all([open({ autoPong: true }), open({ autoPong: true })]);
    await sleep(500);
    for (const { socket, pings } of alive) {
      expect(socket.readyState).toBe(WebSocket.OPEN);
      // About six intervals: not one ping per tick of the wheel, not none.
      expect(pings.length).toBeGreaterThanOrEqual(3);
      expect(pings.length).toBeLessThanOrEqual(7);
      // The first comes about one interval after the connection, not at once.
      expect(pings[0]! - started).toBeGreaterThanOrEqual(50);
    }
  });

  it('cuts a client that stops answering pings (1006), and not one that answers', async () => {
    server = await serve({ port: 0, heartbeat: { interval: 60, timeout: 60 } }, () => undefined);
    const [mute, talking] = await Promise.all([open({ autoPong: false }), open({ autoPong: true })]);
    const started = Date.now();
    expect(await mute.closed).toBe(1006);
    // One interval to the ping, the timeout, a slot of the wheel; slack for a loaded machine.
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(mute.pings.length).toBeGreaterThanOrEqual(1);
    expect(talking.socket.readyState).toBe(WebSocket.OPEN);
  });

  it('leaves no timer behind once its sockets have closed', async () => {
    // The timers of the tests before (their close handshakes) end first: counted while they did, the wheel's did not show.
    await settledTimers();
    const before = timers();
    server = await serve({ port: 0, heartbeat: { interval: 70, timeout: 70 } }, () => undefined);
    const clients = await Promise.all([open({ autoPong: true }), open({ autoPong: true })]);
    expect(timers()).toBeGreaterThan(before);
    for (const client of clients) client.socket.close();
    await Promise.all(clients.map((client) => client.closed));
    while (server.peers.size > 0) await sleep(5);
    // Other timers come and go (a close handshake has one): wait for the count to come back down.
    const deadline = Date.now() + 1_000;
    while (timers() > before && Date.now() < deadline) await sleep(10);
    expect(timers()).toBeLessThanOrEqual(before);
  });
});

describe('keepAlive()', () => {
  it('keeps one place per socket when called twice on it, and leaves no timer once it closes', async () => {
    server = await serve({ port: 0, heartbeat: false }, () => undefined);
    const { socket, closed } = await open({ autoPong: true });
    // Counted around synchronous calls: no other timer can come or go in between.
    const base = timers();
    keepAlive(socket, { interval: 50 });
    keepAlive(socket, { interval: 50 });
    expect(timers()).toBe(base + 1);
    socket.close();
    await closed;
    // Other timers come and go (a close handshake has one): wait for the count to come back down.
    const deadline = Date.now() + 1_000;
    while (timers() > base && Date.now() < deadline) await sleep(10);
    expect(timers()).toBeLessThanOrEqual(base);
  });

  it('refuses, when it is given, an interval or a timeout a timer cannot wait', async () => {
    for (const heartbeat of [
      { interval: 0 },
      { interval: Infinity },
      { interval: 1_000, timeout: -1 },
      { interval: NaN },
    ]) {
      await expect(serve({ port: 0, heartbeat }, () => undefined)).rejects.toThrow(TypeError);
      expect(() => webSocket('ws://127.0.0.1:1', { heartbeat })).toThrow(/heartbeat (interval|timeout) must be/);
    }
  });
});
