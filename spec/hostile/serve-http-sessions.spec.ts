import { randomUUID } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
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
