import { serverRowsByKey, type ServerRow } from '../servers/rows';
import { cpuSince, emptySamples, record, turn, type Samples, type WorkloadConfig } from './common';
import { httpLoad } from './load-http';
import { wsLoad } from './load-ws';
import { startServerProcess, type ServerProcess } from './server-process';

/** One row's server process and the load generator's link to it. */
interface Target {
  readonly row: ServerRow;
  readonly server: ServerProcess;
  run(calls: number): Promise<void>;
  close(): Promise<void>;
}

async function open(row: ServerRow, sizes: Record<string, number>): Promise<Target> {
  const server = await startServerProcess(row.entry);
  try {
    if (row.transport === 'ws') {
      const load = await wsLoad(`ws://127.0.0.1:${server.port}`);
      return { row, server, run: (calls) => load.run(calls, sizes.window!), close: () => load.close() };
    }
    const load = httpLoad(server.port, sizes.connections!);
    return { row, server, run: (calls) => load.run(calls, sizes.connections!), close: async () => load.close() };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/**
 * W7: each server in its own process, driven in turn by one fixed load generator (this
 * process): calls per second, the server's CPU per call (it reports its own), and this
 * process's CPU per call (to tell a server that is slow from a client that is saturated).
 */
export async function w7Servers(config: WorkloadConfig): Promise<Samples[]> {
  const rows = serverRowsByKey(config.adapters);
  const samples = emptySamples(rows);
  const { sizes } = config;
  const targets: Target[] = [];
  try {
    // Started together: they sit idle until their turn.
    const opened = await Promise.allSettled(rows.map((row) => open(row, sizes)));
    for (const each of opened) if (each.status === 'fulfilled') targets.push(each.value);
    const failed = opened.find((each) => each.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    for (const target of targets) await target.run(sizes[`${target.row.transport}Warmup`]!);
    for (let round = 0; round < config.rounds; round++) {
      for (const [index, target] of targets.entries()) {
        const calls = sizes[`${target.row.transport}Calls`]!;
        await turn();
        const serverBefore = await target.server.cpu();
        const clientBefore = process.cpuUsage();
        const start = performance.now();
        await target.run(calls);
        const elapsed = performance.now() - start;
        const clientCpu = cpuSince(clientBefore);
        const serverCpu = (await target.server.cpu()) - serverBefore;
        record(samples[index]!, 'callsPerSecond', (calls / elapsed) * 1000);
        record(samples[index]!, 'serverCpuMicrosPerCall', serverCpu / calls);
        record(samples[index]!, 'clientCpuMicrosPerCall', clientCpu / calls);
      }
    }
  } finally {
    for (const target of targets) await target.close().catch(() => undefined);
    await Promise.all(targets.map((target) => target.server.stop()));
  }
  return samples;
}
