import type { Adapter, BenchClient } from '../adapters/adapter';

/** Per adapter, per metric, the value of each round. */
export interface Samples {
  readonly key: string;
  readonly name: string;
  readonly metrics: Record<string, number[]>;
  /** Why a metric has no value, by metric (e.g. skipped as too slow). */
  readonly notes?: Record<string, string>;
}

/** What the harness passes to every workload. */
export interface WorkloadConfig {
  readonly url: string;
  readonly quick: boolean;
  readonly rounds: number;
  /** The adapters to run, by key, in this order. */
  readonly adapters: readonly string[];
  /** Workload-specific sizes. */
  readonly sizes: Record<string, number>;
  /** Workload-specific lists of sizes. */
  readonly levels?: readonly number[];
}

/** Resolves or rejects as `promise` does, or rejects after `ms` saying what took too long. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/** Checks the answer of `sum [i, 1]`. */
export function checkSum(i: number, result: unknown): void {
  if (result !== i + 1) throw new Error(`sum [${i}, 1] answered ${JSON.stringify(result)}, not ${i + 1}`);
}

/** Makes `total` calls keeping `window` of them in flight, checking every answer. */
export async function windowed(client: BenchClient, total: number, window: number): Promise<void> {
  let issued = 0;
  const lane = async () => {
    while (issued < total) {
      const i = issued++;
      checkSum(i, await client.request('sum', [i, 1]));
    }
  };
  await Promise.all(Array.from({ length: Math.min(window, total) }, lane));
}

/** Opens one client per adapter, one after the other. */
export async function openAll(adapters: readonly Adapter[], url: string): Promise<BenchClient[]> {
  const clients: BenchClient[] = [];
  for (const adapter of adapters) clients.push(await within(adapter.open(url), 10_000, `Opening ${adapter.name}`));
  return clients;
}

export async function closeAll(clients: readonly BenchClient[]): Promise<void> {
  for (const client of clients) await within(client.close(), 5_000, 'Closing a client').catch(() => undefined);
}

/** CPU time (user + system) of this process since `since`, in microseconds. */
export function cpuSince(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return used.user + used.system;
}

/** Lets pending I/O and timers run. */
export const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export function emptySamples(adapters: readonly { key: string; name: string }[]): Samples[] {
  return adapters.map(({ key, name }) => ({ key, name, metrics: {}, notes: {} }));
}

export function record(samples: Samples, metric: string, value: number): void {
  (samples.metrics[metric] ??= []).push(value);
}
