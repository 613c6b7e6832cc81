import { join } from 'node:path';
import { redisInstalled, startRedis, type RedisServer } from '../../scripts/redis-server';
import { median, percentile } from '../stats';
import { cpuSince, type WorkloadConfig } from './common';
import { openFanOutClients, type FanOutClients } from './fan-out-clients';
import { startServerProcess, type ServerProcess } from './server-process';

/** What W8 measured, or why it did not run. */
export interface FanOutResult {
  readonly skipped?: string;
  readonly clients?: number;
  readonly ticks?: number;
  /** ticks × clients */
  readonly expected?: number;
  readonly delivered?: number;
  readonly outOfOrder?: number;
  /** Milliseconds from notifyAll() to a client's receipt: all clients, those of the process that ticks, those of the other. */
  readonly latency?: Record<'all' | 'local' | 'remote', { p50: number; p99: number; max: number }>;
  /** Median time notifyAll() took in the process that ticks (its local sends and the publish), in ms. */
  readonly notifyMs?: number;
  /** This process's CPU per delivery, for all its clients (the clients' share of the latency). */
  readonly clientCpuMicrosPerDelivery?: number;
  /** Problems the servers reported on errors$ (a failed publish, say). */
  readonly serverErrors?: readonly string[];
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function summary(values: readonly number[]): { p50: number; p99: number; max: number } {
  const sorted = Float64Array.from(values).sort();
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? Number.NaN };
}

/** Waits (bounded) until each server has its share of the clients; returns the errors they reported. */
async function settled(servers: readonly ServerProcess[], each: number): Promise<string[]> {
  const errors: string[] = [];
  for (let attempt = 0; attempt < 200; attempt++) {
    const answers = await Promise.all(
      servers.map((server) => server.ask<{ count: number; errors: string[] }>({ type: 'clients' })),
    );
    for (const answer of answers) errors.push(...answer.errors);
    if (answers.every((answer) => answer.count === each)) return errors;
    await delay(50);
  }
  throw new Error(`The servers did not reach ${each} clients each within 10 s`);
}

/**
 * W8: two serve() processes sharing a Redis backplane, `clients` split evenly between them;
 * the first broadcasts `ticks` ticks with notifyAll(), one at a time (each awaited by every
 * client, or for `tickTimeoutMs`, then `gapMs`): delivery latency and the count delivered.
 */
export async function w8FanOut(config: WorkloadConfig): Promise<FanOutResult> {
  if (!redisInstalled()) return { skipped: 'redis-server is not installed (Debian package redis-server)' };
  const { clients: total, ticks, warmup, gapMs, tickTimeoutMs } = config.sizes as Record<string, number>;
  let redis: RedisServer | undefined;
  const servers: ServerProcess[] = [];
  let clients: FanOutClients | undefined;
  try {
    redis = await startRedis();
    const entry = join(__dirname, '..', 'servers', 'fan-out.ts');
    for (let i = 0; i < 2; i++) servers.push(await startServerProcess(entry, { REDIS_URL: redis.url }));
    clients = await openFanOutClients(
      servers.map((server) => server.port),
      total!,
    );
    const serverErrors = await settled(servers, total! / 2);
    let seq = 0;
    for (; seq < warmup!; seq++) {
      await servers[0]!.ask({ type: 'tick', seq });
      await clients.delivered(seq, tickTimeoutMs!);
    }
    clients.measureFrom(seq);
    const notifyMs: number[] = [];
    const cpu = process.cpuUsage();
    for (; seq < warmup! + ticks!; seq++) {
      await delay(gapMs!);
      notifyMs.push((await servers[0]!.ask<{ notifyMs: number }>({ type: 'tick', seq })).notifyMs);
      await clients.delivered(seq, tickTimeoutMs!);
    }
    const clientCpu = cpuSince(cpu);
    serverErrors.push(...(await settled(servers, total! / 2)));
    const { local, remote } = clients.latencies;
    return {
      clients: total,
      ticks,
      expected: ticks! * total!,
      // The warm-up ticks are left out of the count as they are of the latencies.
      delivered: local.length + remote.length,
      outOfOrder: clients.counts.outOfOrder,
      latency: { all: summary([...local, ...remote]), local: summary(local), remote: summary(remote) },
      notifyMs: median(notifyMs),
      clientCpuMicrosPerDelivery: clientCpu / (local.length + remote.length),
      serverErrors,
    };
  } finally {
    await clients?.close().catch(() => undefined);
    await Promise.all(servers.map((server) => server.stop()));
    await redis?.stop();
  }
}
