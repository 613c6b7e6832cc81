import { socketAdaptersByKey } from '../clients';
import { closeAll, openAll, turn, windowed, within, type WorkloadConfig } from './common';
import { answerPhase, clock } from './w3-scaling';

/** When the measured phases ran, on the clock of the CPU profile (microseconds). */
export interface ProfiledRun {
  readonly windows: readonly { readonly from: number; readonly to: number }[];
}

/** W2 for one client, run under --cpu-prof; reports when the measured phase ran, so that start-up is left out. */
export async function profileThroughput(config: WorkloadConfig): Promise<ProfiledRun> {
  const [client] = await openAll(socketAdaptersByKey(config.adapters), config.url);
  const { calls, window, warmup } = config.sizes as Record<string, number>;
  await within(windowed(client!, warmup!, window!), 60_000, 'Profile warm-up');
  await turn();
  const from = clock();
  await within(windowed(client!, calls!, window!), 120_000, 'Profiled calls');
  const to = clock();
  await closeAll([client!]);
  return { windows: [{ from, to }] };
}

/** W3's answer phase at N in flight for one client, run under --cpu-prof; reports each answer phase's window. */
export async function profileAnswers(config: WorkloadConfig): Promise<ProfiledRun> {
  const [client] = await openAll(socketAdaptersByKey(config.adapters), `${config.url}/?hold`);
  const n = config.sizes.inFlight!;
  await answerPhase(client!, n);
  const windows: { from: number; to: number }[] = [];
  for (let round = 0; round < config.rounds; round++) {
    const { from, to } = await answerPhase(client!, n);
    windows.push({ from, to });
  }
  await closeAll([client!]);
  return { windows };
}
