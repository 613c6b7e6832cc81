import { redisInstalled, startRedis, type RedisServer } from '../../scripts/redis-server';
import { fanOutRowsByKey, type FanOutRow } from '../servers/fan-out-rows';
import { median, percentile } from '../stats';
import { cpuSince, type WorkloadConfig } from './common';
import { openFanOutClients, type FanOutClients } from './fan-out-clients';
import { startServerProcess, type ServerProcess } from './server-process';

type Latency = { readonly p50: number; readonly p99: number; readonly max: number };

/** What W8 measured for one row. */
export interface FanOutRowResult {
  readonly key: string;
  readonly name: string;
  readonly clients: number;
  readonly ticks: number;
  /** ticks × clients */
  readonly expected: number;
  readonly delivered: number;
  readonly outOfOrder: number;
  /** Milliseconds from the broadcast to a client's receipt: all clients, those of the process that broadcasts, those of the other. */
  readonly latency: Record<'all' | 'local' | 'remote', Latency>;
  /** Median time the broadcast held the process that broadcasts (its local sends and the publish), in ms. */
  readonly notifyMs: number;
  /** Problems the servers reported on errors$ (a failed publish, say). */
  readonly serverErrors: readonly string[];
}

/** What W8 measured, or why it did not run. */
export interface FanOutResult {
  readonly skipped?: string;
  readonly rows?: readonly FanOutRowResult[];
  /** The workload process's CPU per delivery, for all its clients (the clients' share of the latency). */
  readonly clientCpuMicrosPerDelivery?: number;
}

/** One row's two server processes and its clients. */
interface Fleet {
  readonly row: FanOutRow;
  readonly servers: ServerProcess[];
  clients?: FanOutClients;
  readonly notifyMs: number[];
  readonly errors: string[];
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function summary(values: readonly number[]): Latency {
  const sorted = Float64Array.from(values).sort();
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? Number.NaN };
}

/** Waits (bounded) until each server has its share of the clients, keeping the errors they report. */
async function settled(fleet: Fleet, each: number): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const answers = await Promise.all(
      fleet.servers.map((server) => server.ask<{ count: number; errors: string[] }>({ type: 'clients' })),
    );
    for (const answer of answers) fleet.errors.push(...answer.errors);
    if (answers.every((answer) => answer.count === each)) return;
    await delay(50);
  }
  throw new Error(`The ${fleet.row.key} servers did not reach ${each} clients each within 10 s`);
}

/** Broadcasts tick `seq` from the first server and waits until every client has it (or `ms` passed). */
async function tick(fleet: Fleet, seq: number, ms: number): Promise<void> {
  const { notifyMs } = await fleet.servers[0]!.ask<{ notifyMs: number }>({ type: 'tick', seq });
  fleet.notifyMs.push(notifyMs);
  await fleet.clients!.delivered(seq, ms);
}

function result(fleet: Fleet, total: number, ticks: number): FanOutRowResult {
  const { local, remote } = fleet.clients!.latencies;
  return {
    key: fleet.row.key,
    name: fleet.row.name,
    clients: total,
    ticks,
    expected: ticks * total,
    // The warm-up ticks are left out of the count as they are of the latencies.
    delivered: local.length + remote.length,
    outOfOrder: fleet.clients!.counts.outOfOrder,
    latency: { all: summary([...local, ...remote]), local: summary(local), remote: summary(remote) },
    notifyMs: median(fleet.notifyMs),
    serverErrors: fleet.errors,
  };
}

/**
 * W8: per row, two server processes sharing one redis-server, `clients` split evenly between
 * them (all in this process). The rows' ticks alternate: the first server of a row
 * broadcasts tick `seq`, every client of that row receives it (or `tickTimeoutMs` passes),
 * `gapMs` later the next row's does. Delivery latency and the count delivered, per row.
 */
export async function w8FanOut(config: WorkloadConfig): Promise<FanOutResult> {
  if (!redisInstalled()) return { skipped: 'redis-server is not installed (Debian package redis-server)' };
  const { clients: total, ticks, warmup, gapMs, tickTimeoutMs } = config.sizes as Record<string, number>;
  let redis: RedisServer | undefined;
  const fleets: Fleet[] = fanOutRowsByKey(config.adapters).map((row) => ({
    row,
    servers: [],
    notifyMs: [],
    errors: [],
  }));
  try {
    redis = await startRedis();
    for (const fleet of fleets) {
      for (let i = 0; i < 2; i++)
        fleet.servers.push(await startServerProcess(fleet.row.entry, { REDIS_URL: redis.url, CHANNEL: fleet.row.key }));
      fleet.clients = await openFanOutClients(
        fleet.servers.map((server) => server.port),
        total!,
      );
      await settled(fleet, total! / 2);
    }
    let seq = 0;
    for (; seq < warmup!; seq++) for (const fleet of fleets) await tick(fleet, seq, tickTimeoutMs!);
    for (const fleet of fleets) fleet.clients!.measureFrom(seq);
    const cpu = process.cpuUsage();
    for (; seq < warmup! + ticks!; seq++) {
      for (const fleet of fleets) {
        await delay(gapMs!);
        await tick(fleet, seq, tickTimeoutMs!);
      }
    }
    const clientCpu = cpuSince(cpu);
    for (const fleet of fleets) await settled(fleet, total! / 2);
    const rows = fleets.map((fleet) => result(fleet, total!, ticks!));
    const delivered = rows.reduce((sum, row) => sum + row.delivered, 0);
    return { rows, clientCpuMicrosPerDelivery: clientCpu / delivered };
  } finally {
    for (const fleet of fleets) await fleet.clients?.close().catch(() => undefined);
    await Promise.all(fleets.flatMap((fleet) => fleet.servers.map((server) => server.stop())));
    await redis?.stop();
  }
}
