import { inProcessAdaptersByKey } from '../clients';
import type { BenchClient } from '../adapters/adapter';
import {
  closeAll,
  cpuSince,
  emptySamples,
  record,
  turn,
  windowed,
  within,
  type Samples,
  type WorkloadConfig,
} from './common';

/** W6: client and server in one process, no socket; `window` calls in flight; calls per second and CPU per call. */
export async function w6InProcess(config: WorkloadConfig): Promise<Samples[]> {
  const adapters = inProcessAdaptersByKey(config.adapters);
  const clients: BenchClient[] = [];
  for (const adapter of adapters) clients.push(await adapter.open());
  const samples = emptySamples(adapters);
  const { calls, window, warmup } = config.sizes as Record<string, number>;
  for (const client of clients) await within(windowed(client, warmup!, window!), 60_000, 'W6 warm-up');
  for (let round = 0; round < config.rounds; round++) {
    for (const [index, client] of clients.entries()) {
      await turn();
      const cpu = process.cpuUsage();
      const start = performance.now();
      await within(windowed(client, calls!, window!), 120_000, `W6 ${adapters[index]!.name}`);
      const elapsed = performance.now() - start;
      record(samples[index]!, 'callsPerSecond', (calls! / elapsed) * 1000);
      record(samples[index]!, 'cpuMicrosPerCall', cpuSince(cpu) / calls!);
    }
  }
  await closeAll(clients);
  return samples;
}
