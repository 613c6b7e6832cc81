import type { BenchClient } from '../adapters/adapter';
import { socketAdaptersByKey } from '../clients';
import {
  checkSum,
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

/** Microseconds on the clock of a CPU profile. */
export const clock = (): number => Number(process.hrtime.bigint() / 1000n);

/** Adapters whose routing is O(pending) per answer get at most this many in flight (beyond, a round takes minutes). */
const linearKeys = new Set(['naive-rxjs']);

/**
 * One round at `n` in flight: send `n` calls, which the server holds; once it has them all
 * (an `echo` sent after them is answered), ask for the release and time from there to the
 * last answer: the answers arrive in one socket write, so the client sets the pace.
 */
export async function answerPhase(
  client: BenchClient,
  n: number,
): Promise<{ wall: number; cpu: number; from: number; to: number }> {
  const calls = new Array<Promise<unknown>>(n);
  for (let i = 0; i < n; i++) calls[i] = client.request('sum', [i, 1]);
  await within(client.request('echo', ['barrier']), 120_000, `Sending ${n} calls`);
  await turn();
  const cpu = process.cpuUsage();
  const from = clock();
  const start = performance.now();
  const released = client.request('release', []);
  const results = await within(Promise.all(calls), 300_000, `${n} answers`);
  const wall = performance.now() - start;
  const to = clock();
  const cpuMicros = cpuSince(cpu);
  await released;
  results.forEach((result, i) => checkSum(i, result));
  return { wall: (wall * 1000) / n, cpu: cpuMicros / n, from, to };
}

/** W3: N calls in flight (N = each level), answered together; microseconds per answer in the answer phase. */
export async function w3Scaling(config: WorkloadConfig): Promise<Samples[]> {
  const adapters = socketAdaptersByKey(config.adapters);
  const samples = emptySamples(adapters);
  const linearMax = config.sizes.linearMax!;
  const levels = config.levels ?? [];
  const clients = await openAll(adapters, `${config.url}/?hold`);
  // One round at the smallest level, discarded, warms every client up.
  for (const client of clients) await answerPhase(client, levels[0]!);
  for (const n of levels) {
    // Small N is over in milliseconds, where a GC pause or a wake-up shows: more rounds there.
    const rounds = Math.max(config.rounds, Math.round((config.rounds * Math.sqrt(levels.at(-1)! / n)) / 2));
    for (let round = 0; round < rounds; round++) {
      for (const [index, client] of clients.entries()) {
        const adapter = adapters[index]!;
        if (linearKeys.has(adapter.key) && n > linearMax) {
          samples[index]!.notes![`usPerAnswer@${n}`] = `skipped: O(N) routing, more than ${linearMax} in flight`;
          continue;
        }
        await turn();
        const { wall, cpu } = await answerPhase(client, n);
        record(samples[index]!, `usPerAnswer@${n}`, wall);
        record(samples[index]!, `cpuUsPerAnswer@${n}`, cpu);
      }
    }
  }
  await closeAll(clients);
  return samples;
}
