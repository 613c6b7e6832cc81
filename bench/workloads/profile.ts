import { socketAdaptersByKey } from '../clients';
import { closeAll, openAll, turn, windowed, within, type WorkloadConfig } from './common';

/** When the measured phase ran, on the clock of the CPU profile (microseconds). */
export interface ProfiledRun {
  readonly from: number;
  readonly to: number;
  readonly calls: number;
}

const now = () => Number(process.hrtime.bigint() / 1000n);

/** W2 for one client, run under --cpu-prof; reports when the measured phase ran, so that start-up is left out. */
export async function profileThroughput(config: WorkloadConfig): Promise<ProfiledRun> {
  const [client] = await openAll(socketAdaptersByKey(config.adapters), config.url);
  const { calls, window, warmup } = config.sizes as Record<string, number>;
  await within(windowed(client!, warmup!, window!), 60_000, 'Profile warm-up');
  await turn();
  const from = now();
  await within(windowed(client!, calls!, window!), 120_000, 'Profiled calls');
  const to = now();
  await closeAll([client!]);
  return { from, to, calls: calls! };
}
