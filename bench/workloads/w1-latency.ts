import { socketAdaptersByKey } from '../clients';
import { percentile } from '../stats';
import {
  checkSum,
  closeAll,
  emptySamples,
  openAll,
  record,
  turn,
  windowed,
  type Samples,
  type WorkloadConfig,
} from './common';

/** W1: one call in flight at a time; p50 and p99 of each round, in microseconds. */
export async function w1Latency(config: WorkloadConfig): Promise<Samples[]> {
  const adapters = socketAdaptersByKey(config.adapters);
  const clients = await openAll(adapters, config.url);
  const samples = emptySamples(adapters);
  const calls = config.sizes.calls!;
  const times = new Float64Array(calls);
  for (const client of clients) await windowed(client, config.sizes.warmup!, 1);
  for (let round = 0; round < config.rounds; round++) {
    for (const [index, client] of clients.entries()) {
      await turn();
      for (let i = 0; i < calls; i++) {
        const start = performance.now();
        const result = await client.request('sum', [i, 1]);
        times[i] = performance.now() - start;
        checkSum(i, result);
      }
      times.sort();
      record(samples[index]!, 'p50', percentile(times, 50) * 1000);
      record(samples[index]!, 'p99', percentile(times, 99) * 1000);
    }
  }
  await closeAll(clients);
  return samples;
}
