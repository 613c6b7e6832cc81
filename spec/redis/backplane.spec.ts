import { connect, type Peer } from 'rx-jsonrpc';
import { webSocket } from 'rx-jsonrpc/node';
import { startRedis, type RedisServer } from '../../scripts/redis-server';
import { expectHealthy, startTarget, stopTargets, type Target } from '../hostile/harness/target';

// Several serve() processes sharing a real redis-server (`npm run test:redis`): a broadcast
// from any process reaches every client of every process once, in order per sender.
jest.setTimeout(60_000);

interface Tick {
  readonly from: string;
  readonly seq: number;
}

interface Client {
  readonly rpc: Peer;
  readonly ticks: Tick[];
}

let redis: RedisServer;
let servers: Target<string>[];
const clients: Client[][] = [];
const names = ['a', 'b', 'c'];

beforeAll(async () => {
  redis = await startRedis();
  servers = await Promise.all(names.map((name) => startTarget<string>('serve-backplane', [redis.url, name])));
  for (const server of servers) clients.push(await Promise.all([0, 1, 2].map(() => client(server.info))));
});

afterAll(async () => {
  for (const client of clients.flat()) await client.rpc.close();
  await stopTargets();
  await redis.stop();
});

beforeEach(() => {
  for (const client of clients.flat()) client.ticks.length = 0;
});

async function client(url: string): Promise<Client> {
  const rpc = connect(webSocket(url));
  const ticks: Tick[] = [];
  rpc.notifications$<Tick>('tick').subscribe((tick) => ticks.push(tick));
  await rpc.request('rpc.ping').catch(() => undefined);
  return { rpc, ticks };
}

/** Waits until every client of `who` has `count` ticks (or 10 s), then a little more, for any extra one. */
async function settle(who: Client[], count: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && who.some((client) => client.ticks.length < count)) await sleep(20);
  await sleep(200);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The seqs each sender's ticks came with, in the order they arrived. */
function bySender(ticks: readonly Tick[]): Record<string, number[]> {
  const seen: Record<string, number[]> = {};
  for (const tick of ticks) (seen[tick.from] ??= []).push(tick.seq);
  return seen;
}

it('delivers a broadcast from any process to every client of every process once, in order per sender', async () => {
  const sent = await Promise.all(servers.map((server) => server.ask<number>('burst', { count: 200 })));
  await settle(clients.flat(), 600);
  const expected = Object.fromEntries(names.map((name, i) => [name, range(sent[i]! - 200, sent[i]!)]));
  for (const client of clients.flat()) expect(bySender(client.ticks)).toEqual(expected);
  for (const server of servers) expect(await server.ask('errors')).toEqual([]);
});

it('delivers a group broadcast to the members of that group in every process, and to nobody else', async () => {
  // One member in a and one in b; c has none and broadcasts.
  await Promise.all([
    clients[0]![1]!.rpc.request('enter', { room: 'red' }),
    clients[1]![2]!.rpc.request('enter', { room: 'red' }),
  ]);
  await servers[2]!.ask('burst', { count: 5, group: 'red' });
  await settle([clients[0]![1]!, clients[1]![2]!], 5);
  const counts = clients.map((own) => own.map((client) => client.ticks.length));
  expect(counts).toEqual([
    [0, 5, 0],
    [0, 0, 5],
    [0, 0, 0],
  ]);
});

it('keeps serving while Redis is down, reports what stayed local, and broadcasts across processes again once Redis is back', async () => {
  await redis.stop();
  await servers[0]!.ask('burst', { count: 3 });
  await settle(clients[0]!, 3);
  // While Redis is down a broadcast reaches its own process's clients only, and says so.
  expect(clients.map((own) => own.map((client) => client.ticks.length))).toEqual([
    [3, 3, 3],
    [0, 0, 0],
    [0, 0, 0],
  ]);
  const errors = await servers[0]!.ask<string[]>('errors');
  expect(errors.filter((message) => message.includes('reached only this process'))).toHaveLength(3);

  await redis.start();
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const ready = await Promise.all(servers.map((server) => server.ask<boolean>('backplaneReady')));
    if (ready.every(Boolean)) break;
    await sleep(50);
  }
  // Subscribed again: probe until a broadcast from a reaches a client of c.
  const probe = clients[2]![0]!;
  while (Date.now() < deadline && !probe.ticks.some((tick) => tick.from === 'a' && tick.seq > 2)) {
    await servers[0]!.ask('burst', { count: 1 });
    await sleep(100);
  }
  for (const client of clients.flat()) client.ticks.length = 0;
  await sleep(200);
  const sent = await Promise.all(servers.map((server) => server.ask<number>('burst', { count: 20 })));
  await settle(clients.flat(), 60);
  const expected = Object.fromEntries(names.map((name, i) => [name, range(sent[i]! - 20, sent[i]!)]));
  for (const client of clients.flat()) expect(bySender(client.ticks)).toEqual(expected);
  for (const server of servers) {
    await expectHealthy(server, () => connectAndPing(server.info), { maxLagMs: 1_000 });
  }
});

async function connectAndPing(url: string): Promise<unknown> {
  const rpc = connect(webSocket(url));
  try {
    return await rpc.request('enter', { room: 'probe' });
  } finally {
    await rpc.close();
  }
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}
