import { socketAdaptersByKey } from '../clients';
import {
  closeAll,
  cpuSince,
  emptySamples,
  openAll,
  record,
  turn,
  windowed,
  within,
  type Samples,
  type WorkloadConfig,
} from './common';

/** W2: `window` calls in flight over one socket: calls per second, and this process's CPU time per call. */
export async function w2Throughput(config: WorkloadConfig): Promise<Samples[]> {
  const adapters = socketAdaptersByKey(config.adapters);
  const clients = await openAll(adapters, config.url);
  const samples = emptySamples(adapters);
  const { calls, window, warmup } = config.sizes as { calls: number; window: number; warmup: number };
  for (const client of clients) await within(windowed(client, warmup, window), 60_000, 'W2 warm-up');
  for (let round = 0; round < config.rounds; round++) {
    for (const [index, client] of clients.entries()) {
      await turn();
      const cpu = process.cpuUsage();
      const start = performance.now();
      await within(windowed(client, calls, window), 120_000, `W2 ${adapters[index]!.name}`);
      const elapsed = performance.now() - start;
      const cpuMicros = cpuSince(cpu);
      record(samples[index]!, 'callsPerSecond', (calls / elapsed) * 1000);
      record(samples[index]!, 'cpuMicrosPerCall', cpuMicros / calls);
    }
  }
  await closeAll(clients);
  return samples;
}
