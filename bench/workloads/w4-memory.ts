import { diagnosticKeys, socketAdaptersByKey } from '../clients';
import {
  closeAll,
  emptySamples,
  openAll,
  record,
  turn,
  windowed,
  within,
  type Samples,
  type WorkloadConfig,
} from './common';

function collect(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('W4 needs node --expose-gc');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/**
 * W4: heap bytes per pending call (N calls sent to a server that never answers), and heap
 * growth over many completed calls.
 */
export async function w4Memory(config: WorkloadConfig): Promise<Samples[]> {
  const adapters = socketAdaptersByKey(config.adapters);
  const samples = emptySamples(adapters);
  const { pending, completed, window, warmup } = config.sizes as Record<string, number>;

  // Pending: each client on its own muted connection, measured alone.
  for (let round = 0; round < config.rounds; round++) {
    for (const [index, adapter] of adapters.entries()) {
      const [client] = await openAll([adapter], `${config.url}/?mute`);
      const calls = new Array<Promise<unknown>>(pending!).fill(Promise.resolve());
      await turn();
      const before = collect();
      for (let i = 0; i < pending!; i++) {
        calls[i] = client!.request('sum', [i, 1]);
        calls[i]!.catch(() => undefined);
      }
      // Let the frames leave the socket, so that what stays is what the client keeps per call.
      await new Promise((resolve) => setTimeout(resolve, config.sizes.settleMs));
      const after = collect();
      record(samples[index]!, 'bytesPerPending', (after - before) / pending!);
      await closeAll([client!]);
      calls.fill(Promise.resolve());
      // What the closed client held must be gone before the next one's baseline.
      await new Promise((resolve) => setTimeout(resolve, config.sizes.settleMs));
      collect();
    }
  }

  // Completed: heap before and after `completed` calls, `window` in flight (diagnostic rows left out, for time).
  const measured = adapters.filter((adapter) => !diagnosticKeys.includes(adapter.key));
  const clients = await openAll(measured, config.url);
  for (const [index, client] of clients.entries()) {
    await within(windowed(client, warmup!, window!), 60_000, 'W4 warm-up');
    await turn();
    const before = collect();
    await within(windowed(client, completed!, window!), 600_000, `W4 ${measured[index]!.name}`);
    await turn();
    const after = collect();
    const row = samples.find((each) => each.key === measured[index]!.key)!;
    record(row, 'heapBefore', before);
    record(row, 'heapGrowth', after - before);
  }
  await closeAll(clients);
  return samples;
}
