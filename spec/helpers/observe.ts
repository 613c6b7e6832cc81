import type { Observable, Subscription } from 'rxjs';
import { AsyncQueue } from './async-queue';

/** How a stream ended. */
export type Ending = { readonly kind: 'error'; readonly error: unknown } | { readonly kind: 'complete' };

/** A subscription that records what a stream does; see {@link observe}. */
export interface Observed<T> {
  /** Every value so far, in order. */
  readonly values: T[];
  /** How the stream ended, or undefined while it runs. */
  readonly ending: Ending | undefined;
  /** Resolves with the next value not yet taken, in order; rejects if the stream ends first. */
  next(): Promise<T>;
  /** Resolves when the stream ends (never rejects). */
  readonly ended: Promise<Ending>;
  /** Resolves with the error the stream ends with; rejects if it completes instead. */
  error(): Promise<unknown>;
  /** Unsubscribes (the stream's teardown runs). */
  unsubscribe(): void;
}

const live = new Set<Subscription>();

/** Subscribes to `source` now and records its values and its end, for assertions. */
export function observe<T>(source: Observable<T>): Observed<T> {
  const values: T[] = [];
  const queue = new AsyncQueue<T>();
  let ending: Ending | undefined;
  let end!: (ending: Ending) => void;
  const ended = new Promise<Ending>((resolve) => (end = resolve));
  const finish = (result: Ending) => {
    ending = result;
    queue.fail(new Error(`The stream ended (${result.kind}) before the value awaited`));
    end(result);
  };
  const subscription = source.subscribe({
    next: (value) => {
      values.push(value);
      queue.push(value);
    },
    error: (error: unknown) => finish({ kind: 'error', error }),
    complete: () => finish({ kind: 'complete' }),
  });
  live.add(subscription);
  return {
    values,
    get ending() {
      return ending;
    },
    next: () => queue.take(),
    ended,
    error: async () => {
      const result = await ended;
      if (result.kind === 'error') return result.error;
      throw new Error('The stream completed instead of erroring');
    },
    unsubscribe: () => {
      live.delete(subscription);
      subscription.unsubscribe();
    },
  };
}

/** Unsubscribes everything `observe()` subscribed to that is still running (call it in afterEach). */
export function stopObserving(): void {
  for (const subscription of live) subscription.unsubscribe();
  live.clear();
}
