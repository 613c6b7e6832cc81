import { isDeepStrictEqual } from 'node:util';
import { inProcessAdapters, socketAdapters } from '../clients';
import type { BenchClient } from '../adapters/adapter';
import { within, type WorkloadConfig } from './common';

/** One adapter's checks: what passed, or the first failure. */
export interface SmokeResult {
  readonly key: string;
  readonly name: string;
  readonly ok: boolean;
  readonly checks: string[];
  readonly failure?: string;
}

async function expectRejection(promise: Promise<unknown>): Promise<void> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.value)}`);
}

async function check(client: BenchClient, notifications: boolean): Promise<string[]> {
  const passed: string[] = [];
  const sum = await client.request('sum', [2, 3]);
  if (sum !== 5) throw new Error(`sum [2, 3] answered ${JSON.stringify(sum)}`);
  passed.push('sum [2, 3] = 5');
  if (!notifications) return passed;

  const params = { text: 'héllo', list: [1, 'two', null], nested: { ok: true } };
  const echoed = await client.request('echo', params);
  if (!isDeepStrictEqual(echoed, params)) throw new Error(`echo answered ${JSON.stringify(echoed)}`);
  passed.push('echo of named params');

  await expectRejection(client.request('no.such.method', []));
  passed.push('an error answer rejects');

  const many = await Promise.all(Array.from({ length: 50 }, (_, i) => client.request('sum', [i, 1])));
  if (!many.every((value, i) => value === i + 1))
    throw new Error(`50 concurrent calls answered ${JSON.stringify(many)}`);
  passed.push('50 concurrent calls, each its own answer');

  const seen: number[] = [];
  let done!: () => void;
  const all = new Promise<void>((resolve) => (done = resolve));
  const stop = client.onNotification('tick', (received) => {
    seen.push((received as { seq: number }).seq);
    if (seen.length === 3) done();
  });
  await client.request('push', { method: 'tick', count: 3 });
  await within(all, 5_000, 'Three notifications');
  stop();
  if (!isDeepStrictEqual(seen, [0, 1, 2])) throw new Error(`notifications carried ${JSON.stringify(seen)}`);
  passed.push('notifications of one method, in order');
  return passed;
}

/** Proves that every adapter works: calls, errors, concurrency, notifications (socket) and calls (in process). */
export async function smoke(config: WorkloadConfig): Promise<SmokeResult[]> {
  const results: SmokeResult[] = [];
  const candidates = [
    ...socketAdapters.map((adapter) => ({ adapter, open: () => adapter.open(config.url), notifications: true })),
    ...inProcessAdapters.map((adapter) => ({ adapter, open: () => adapter.open(), notifications: false })),
  ];
  for (const { adapter, open, notifications } of candidates) {
    const { key, name } = adapter;
    try {
      const client = await within(open(), 10_000, `Opening ${name}`);
      try {
        results.push({ key, name, ok: true, checks: await within(check(client, notifications), 10_000, name) });
      } finally {
        await within(client.close(), 5_000, `Closing ${name}`);
      }
    } catch (error) {
      results.push({ key, name, ok: false, checks: [], failure: String((error as Error).stack ?? error) });
    }
  }
  return results;
}
