import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { closed } from '../adapters/adapter';
import type { HeapReading } from '../servers/many';
import type { ManyRow } from '../servers/many-rows';
import { lateness, loopMonitor } from '../servers/soak-probes';
import { soakRowsByKey } from '../servers/soak-rows';
import { cpuSince, within, type WorkloadConfig } from './common';
import { holding, openSockets } from './many-clients';
import { soakCalls, type SoakCalls } from './soak-calls';
import { startServerProcess, type ServerProcess } from './server-process';

type Delay = { readonly p99: number; readonly max: number };

/** What W11 measured for one server. */
export interface SoakRow extends SoakCalls {
  readonly key: string;
  readonly name: string;
  /** The server's RSS (bytes), read once a second from the first second on. */
  readonly rss: readonly number[];
  /** Its heap in use (bytes, no collection forced), read with each RSS. */
  readonly heapUsed: readonly number[];
  /** The heap after a full collection: of the server alone, before its connections opened, and at the end. */
  readonly heapAfterGc: { readonly before: number; readonly after: number };
  /** The server's event-loop delay after the warm-up (ms, `monitorEventLoopDelay` in its process). */
  readonly serverLoopDelay: Delay;
  /** This process's, over the same time: a high one means the load generator, not the server, is slow. */
  readonly clientLoopDelay: Delay;
  /** CPU time over wall time after the warm-up, in % of one core: the server's and this process's. */
  readonly serverCpuPercent: number;
  readonly clientCpuPercent: number;
  /** The machine's 1-minute load average as the row began and ended: other work on this machine shows here. */
  readonly load: { readonly start: number; readonly end: number };
}

/** What W11 measured, or why it did not run. */
export interface SoakResult {
  readonly skipped?: string;
  readonly rows?: readonly SoakRow[];
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The open-file limit this process (and the servers it starts) runs under. */
function openFileLimit(): number {
  const limit = spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim();
  return limit === 'unlimited' ? Number.POSITIVE_INFINITY : Number(limit);
}

/** Reads the server's memory each second for `seconds`; at `warmupSeconds` calls `warmedUp` first. */
async function sampleEachSecond(
  server: ServerProcess,
  seconds: number,
  warmupSeconds: number,
  warmedUp: () => Promise<void>,
): Promise<{ rss: number[]; heapUsed: number[] }> {
  const start = performance.now();
  const samples = { rss: [] as number[], heapUsed: [] as number[] };
  for (let second = 1; second <= seconds; second++) {
    await delay(start + second * 1000 - performance.now());
    if (second === warmupSeconds) await warmedUp();
    const { rss, heapUsed } = await server.ask<{ rss: number; heapUsed: number }>({ type: 'memory' });
    samples.rss.push(rss);
    samples.heapUsed.push(heapUsed);
  }
  return samples;
}

async function soakOne(row: ManyRow, sizes: Record<string, number>): Promise<SoakRow> {
  const { connections, seconds, warmupSeconds, timeoutMs, parallel } = sizes as Record<string, number>;
  const loadAtStart = loadavg()[0]!;
  // --expose-gc only for the reading of the heap after a full collection, alone and after the calls.
  const server = await startServerProcess(row.entry, {}, ['--expose-gc']);
  let sockets: Awaited<ReturnType<typeof openSockets>> = [];
  try {
    // Read before the connections open: a collection forced while they idle sets V8's next limit
    // from an idle moment, and the heap then grew for half the soak before its first full
    // collection (230 → 403 MiB of RSS in one run), which no server that is never told gc() does.
    const before = await server.ask<HeapReading>({ type: 'heap' });
    sockets = await openSockets(server.port, connections!, parallel);
    await holding(server, connections!, row.name);
    await server.ask({ type: 'loop-delay', reset: true });
    const clientLoop = loopMonitor();
    // Set again at the end of the warm-up: CPU and loop delay are of the steady state only.
    let warm = { at: performance.now(), client: process.cpuUsage(), server: await server.cpu() };
    const warmedUp = async () => {
      warm = { at: performance.now(), client: process.cpuUsage(), server: await server.cpu() };
      await server.ask({ type: 'loop-delay', reset: true });
      clientLoop.reset();
    };
    const [calls, memory] = await Promise.all([
      soakCalls(sockets, { seconds: seconds!, warmupSeconds: warmupSeconds!, timeoutMs: timeoutMs! }),
      sampleEachSecond(server, seconds!, warmupSeconds!, warmedUp),
    ]);
    const wallMicros = (performance.now() - warm.at) * 1000;
    const serverCpu = (await server.cpu()) - warm.server;
    const clientCpu = cpuSince(warm.client);
    const serverLoopDelay = await server.ask<Delay>({ type: 'loop-delay' });
    clientLoop.disable();
    const after = await server.ask<HeapReading>({ type: 'heap' });
    return {
      key: row.key,
      name: row.name,
      ...calls,
      ...memory,
      heapAfterGc: { before: before.heapUsed, after: after.heapUsed },
      serverLoopDelay: { p99: serverLoopDelay.p99, max: serverLoopDelay.max },
      clientLoopDelay: lateness(clientLoop),
      serverCpuPercent: (serverCpu / wallMicros) * 100,
      clientCpuPercent: (clientCpu / wallMicros) * 100,
      load: { start: loadAtStart, end: loadavg()[0]! },
    };
  } finally {
    await Promise.all(sockets.map((socket) => within(closed(socket), 5_000, 'Closing a client'))).catch(() => {
      for (const socket of sockets) socket.terminate();
    });
    await server.stop();
  }
}

/**
 * W11, the C10k soak: each server alone in its own process, one after the other, holding
 * `connections` raw `ws` clients of this process (the fixed load generator) that each call
 * `echo` once a second for `seconds`; latency, errors and timeouts from the calls, the
 * server's RSS each second and its event-loop delay from the server itself.
 */
export async function w11Soak(config: WorkloadConfig): Promise<SoakResult> {
  const needed = (config.sizes.connections ?? 0) + 1_000;
  const limit = openFileLimit();
  // This process holds one end of each connection, each server the other: both need the descriptors.
  if (limit < needed) return { skipped: `ulimit -n is ${limit}; ${needed} open files are needed` };
  const rows: SoakRow[] = [];
  for (const row of soakRowsByKey(config.adapters)) rows.push(await soakOne(row, config.sizes));
  return { rows };
}
