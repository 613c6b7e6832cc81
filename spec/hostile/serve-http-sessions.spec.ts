import { randomUUID } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import type { Socket } from 'node:net';
import { connect, http } from 'rx-jsonrpc';
import { expectHealthy, startTarget, stopTargets, type Target } from './harness/target';

// Floods of session ids against serve({ sessions }) over HTTP: the attacked server runs in a
// child process, which must stay alive, bounded in memory, never stalled, and answer a fresh call.
afterAll(stopTargets);

type Info = { url: string };
const mib = 1_048_576;
const maxSessions = 100;
const idleTimeout = 2_000;
const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });

/** POSTs a ping over `agent`, with `session` as its id when given; resolves with the status. */
const postPing = (url: string, agent: Agent, session?: string) =>
  new Promise<number>((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (session !== undefined) headers['mcp-session-id'] = session;
    const sent = httpRequest(url, { method: 'POST', agent, headers }, (response) => {
      response.resume().once('end', () => resolve(response.statusCode ?? 0));
    });
    sent.once('error', reject).end(body);
  });

/** Sends `count` requests made by `one`, `parallel` at a time; the statuses, counted. */
async function flood(count: number, parallel: number, one: () => Promise<number>): Promise<Map<number, number>> {
  const statuses = new Map<number, number>();
  let left = count;
  const worker = async () => {
    while (left > 0) {
      left--;
      const status = await one();
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return statuses;
}

/** A fresh client's call in a session of its own: ping answers pong. */
const ping = (url: string) => async () => {
  const rpc = connect(http(url, { sessionHeader: 'Mcp-Session-Id' }), { timeout: 3_000 });
  try {
    expect(await rpc.request('ping')).toBe('pong');
  } finally {
    await rpc.close();
  }
};

const heapUsed = async (target: Target) => (await target.ask<NodeJS.MemoryUsage>('memory')).heapUsed;

describe('serve({ sessions }) attacked with session ids', () => {
  let target: Target<Info>;
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  beforeAll(async () => {
    target = await startTarget<Info>('serve-http', [JSON.stringify({ sessions: { maxSessions, idleTimeout } })]);
  }, 30_000);
  afterAll(() => agent.destroy());

  it('answers 404 to a flood of random session ids, keeping nothing for them', async () => {
    await target.stats(true);
    const before = await heapUsed(target);
    const statuses = await flood(10_000, 16, () => postPing(target.info.url, agent, randomUUID()));
    expect([...statuses]).toEqual([[404, 10_000]]);
    const grown = (await heapUsed(target)) - before;
    console.log(`10,000 unknown session ids: heap grew by ${Math.round(grown / 1_024)} KiB`);
    expect(grown).toBeLessThan(4 * mib);
    await expectHealthy(target, ping(target.info.url), { maxRssMb: 200 });
  }, 60_000);

  it('opens no more than maxSessions under a flood of new ones, answers 503 past it, and ends them when idle', async () => {
    await target.stats(true);
    const before = await heapUsed(target);
    const started = Date.now();
    const statuses = await flood(5_000, 16, () => postPing(target.info.url, agent));
    // Sessions that went idle during the flood ended, and made room for as many new ones.
    const rounds = 1 + Math.ceil((Date.now() - started) / idleTimeout);
    expect(statuses.get(200)).toBeLessThanOrEqual(maxSessions * rounds);
    expect((statuses.get(200) ?? 0) + (statuses.get(503) ?? 0)).toBe(5_000);
    const held = (await heapUsed(target)) - before;
    console.log(`5,000 new sessions asked for: ${statuses.get(200)} opened, heap +${Math.round(held / 1_024)} KiB`);
    expect(held).toBeLessThan(16 * mib);
    // Idle, they end: a fresh client gets a session of its own again.
    await new Promise((resolve) => setTimeout(resolve, idleTimeout * 2));
    await expectHealthy(target, ping(target.info.url), { maxRssMb: 250 });
  }, 60_000);
});

/** POSTs `text` on a connection of its own, with `session` as its id when given; resolves with the status and session id. */
const postOwn = (url: string, text: string, session?: string) =>
  new Promise<{ status: number; session: string | undefined }>((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (session !== undefined) headers['mcp-session-id'] = session;
    httpRequest(url, { method: 'POST', agent: false, headers }, (response) => {
      const id = response.headers['mcp-session-id'];
      response.resume().once('end', () => resolve({ status: response.statusCode ?? 0, session: id as string }));
    })
      .once('error', reject)
      .end(text);
  });

/** Opens the standing stream of `session` on a connection of its own and never reads it; resolves with its status. */
const unreadGet = (url: string, session: string, sockets: Socket[]) =>
  new Promise<number>((resolve, reject) => {
    const headers = { accept: 'text/event-stream', 'mcp-session-id': session };
    httpRequest(url, { agent: false, headers }, (response) => {
      response.pause();
      response.socket.pause();
      sockets.push(response.socket);
      resolve(response.statusCode ?? 0);
    })
      .once('error', reject)
      .end();
  });

/** Opens `count` sessions, each with a standing GET its client never reads; the sockets of those GETs. */
async function squat(url: string, count: number): Promise<Socket[]> {
  const sockets: Socket[] = [];
  for (let opened = 0; opened < count; opened++) {
    const { status, session } = await postOwn(url, body);
    expect(status).toBe(200);
    expect(await unreadGet(url, session!, sockets)).toBe(200);
  }
  return sockets;
}

/** Resolves once `check` resolves true, asked every 10 ms for `ms` at most; rejects then. */
async function until(target: Target, check: () => Promise<boolean>, ms = 5_000): Promise<void> {
  for (let tries = 0; tries < ms / 10; tries++) {
    if (await check()) return;
    await sleep(10);
  }
  throw new Error(`not so within ${ms} ms (the target is ${target.alive ? 'running' : 'gone'})`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('serve({ sessions }) attacked with standing streams that are never read', () => {
  const squatted = 50;
  // idleTimeout outlasts the squatting, even on a loaded machine.
  const options = { maxSessions: squatted, idleTimeout: 3_000, keepAlive: 200 };
  let target: Target<Info>;
  let sockets: Socket[] = [];
  beforeEach(async () => {
    target = await startTarget<Info>('serve-sessions', [JSON.stringify({ sessions: options, highWaterMark: mib })]);
  }, 30_000);
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await target.stop();
  });

  it('gives their places to new clients once they have had no request for idleTimeout', async () => {
    sockets = await squat(target.info.url, squatted);
    // Full: a new client is refused while the squatters are fresh.
    expect((await postOwn(target.info.url, body)).status).toBe(503);
    await target.stats(true);
    await sleep(options.idleTimeout + 200);
    const statuses = await Promise.all(Array.from({ length: 10 }, () => postOwn(target.info.url, body)));
    expect(statuses.map(({ status }) => status)).toEqual(Array(10).fill(200));
    // The sessions that gave their places close as their peers do.
    await until(target, async () => (await target.ask<number>('sessions')) === squatted);
    const stats = await expectHealthy(target, ping(target.info.url), { maxRssMb: 250 });
    console.log(
      `${squatted} unread standing streams: RSS ${Math.round(stats.maxRss / mib)} MiB, stall ${Math.round(stats.maxLagMs)} ms`,
    );
  }, 30_000);

  it('cuts them when broadcasts fill them, staying bounded in memory, and their sessions then end when idle', async () => {
    sockets = await squat(target.info.url, squatted);
    await target.stats(true);
    // 12.8 MiB to each of 50 streams (640 MiB in all) that nobody reads.
    await target.ask('broadcast', { count: 200, size: 65_536 }, 30_000);
    await sleep(options.idleTimeout);
    await until(target, async () => (await target.ask<number>('sessions')) === 0);
    const stats = await expectHealthy(target, ping(target.info.url), { maxRssMb: 300 });
    console.log(
      `broadcast to ${squatted} unread streams: RSS ${Math.round(stats.maxRss / mib)} MiB, stall ${Math.round(stats.maxLagMs)} ms`,
    );
  }, 60_000);

  it('lets go of sessions that ended while a POST was in flight (nothing keeps their idle timers)', async () => {
    await target.stop();
    const ballast = mib;
    target = await startTarget<Info>('serve-sessions', [
      JSON.stringify({ sessions: { idleTimeout: 60_000 }, ballast }),
    ]);
    const before = (await target.ask<NodeJS.MemoryUsage>('memory')).arrayBuffers;
    for (let round = 0; round < 30; round++) {
      const { session } = await postOwn(target.info.url, body);
      const slow = postOwn(
        target.info.url,
        JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'slow', params: [500] }),
        session,
      );
      // The DELETE comes while the slow call runs.
      await until(target, async () => (await target.ask<number>('running')) > 0);
      const deleted = await new Promise<number>((resolve, reject) => {
        const headers = { 'mcp-session-id': session! };
        httpRequest(target.info.url, { method: 'DELETE', agent: false, headers }, (response) => {
          response.resume().once('end', () => resolve(response.statusCode ?? 0));
        })
          .once('error', reject)
          .end();
      });
      expect(deleted).toBe(204);
      expect((await slow).status).toBe(503);
    }
    expect(await target.ask<number>('sessions')).toBe(0);
    // The calls' handlers run on after their sessions ended (and hold their setup's closure): let them end.
    await until(target, async () => (await target.ask<number>('running')) === 0);
    // V8 frees the memory of typed arrays after a collection, not in it: asked until it is let go, for 3 s at most.
    const held = async () => (await target.ask<NodeJS.MemoryUsage>('memory')).arrayBuffers - before;
    await until(target, async () => (await held()) < 5 * mib, 3_000).catch(() => undefined);
    const left = await held();
    console.log(`30 sessions of ${ballast / mib} MiB ended under a POST: ${Math.round(left / mib)} MiB still held`);
    expect(left).toBeLessThan(5 * mib);
  }, 30_000);

  it('keeps nothing per POST of a long session whose calls answer later', async () => {
    await target.stop();
    target = await startTarget<Info>('serve-sessions', [JSON.stringify({ sessions: { idleTimeout: 60_000 } })]);
    const { session } = await postOwn(target.info.url, body);
    const slow = (id: number) => JSON.stringify({ jsonrpc: '2.0', id, method: 'slow', params: [0] });
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    let id = 1;
    const posts = (count: number) =>
      flood(count, 16, async () => {
        const sent = slow(++id);
        return new Promise<number>((resolve, reject) => {
          const headers = { 'content-type': 'application/json', 'mcp-session-id': session! };
          httpRequest(target.info.url, { method: 'POST', agent, headers }, (response) =>
            response.resume().once('end', () => resolve(response.statusCode ?? 0)),
          )
            .once('error', reject)
            .end(sent);
        });
      });
    try {
      await posts(2_000);
      const before = await heapUsed(target);
      expect(await posts(20_000)).toEqual(new Map([[200, 20_000]]));
      const grew = (await heapUsed(target)) - before;
      // A reaction left on the session's end for each POST held about 450 B: 8.6 MiB here.
      console.log(`20,000 POSTs in one session: heap +${(grew / mib).toFixed(2)} MiB`);
      expect(grew).toBeLessThan(3 * mib);
    } finally {
      agent.destroy();
    }
  }, 60_000);
});
