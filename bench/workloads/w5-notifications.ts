import type { BenchClient } from '../adapters/adapter';
import { socketAdaptersByKey } from '../clients';
import {
  closeAll,
  cpuSince,
  emptySamples,
  openAll,
  record,
  turn,
  within,
  type Samples,
  type WorkloadConfig,
} from './common';

/** Asks the server for `count` notifications of one method; resolves with the seconds until the last arrived and the CPU (µs) spent. */
async function receive(client: BenchClient, count: number): Promise<{ seconds: number; cpu: number }> {
  let received = 0;
  let done!: () => void;
  let fail!: (error: Error) => void;
  const all = new Promise<void>((resolve, reject) => {
    done = resolve;
    fail = reject;
  });
  const stop = client.onNotification('tick', (params) => {
    const seq = (params as { seq: number }).seq;
    if (seq !== received) fail(new Error(`notification ${received} carried seq ${seq}`));
    if (++received === count) done();
  });
  try {
    const cpu = process.cpuUsage();
    const start = performance.now();
    await client.request('push', { method: 'tick', count });
    await within(all, 120_000, `${count} notifications`);
    return { seconds: (performance.now() - start) / 1000, cpu: cpuSince(cpu) };
  } finally {
    stop();
  }
}

/** W5: a server pushing notifications of one method as fast as the socket drains; notifications per second. */
export async function w5Notifications(config: WorkloadConfig): Promise<Samples[]> {
  const adapters = socketAdaptersByKey(config.adapters);
  const clients = await openAll(adapters, config.url);
  const samples = emptySamples(adapters);
  const count = config.sizes.count!;
  for (const client of clients) await receive(client, config.sizes.warmup!);
  for (let round = 0; round < config.rounds; round++) {
    for (const [index, client] of clients.entries()) {
      await turn();
      const { seconds, cpu } = await receive(client, count);
      record(samples[index]!, 'perSecond', count / seconds);
      record(samples[index]!, 'cpuMicrosPerNotification', cpu / count);
    }
  }
  await closeAll(clients);
  return samples;
}
