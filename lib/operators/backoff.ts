import { asyncScheduler, timer, type Observable, type SchedulerLike } from 'rxjs';

/** Options of {@link backoff}. */
export interface BackoffOptions {
  /**
   * The delay before the first retry, in milliseconds.
   * @default 250
   */
  readonly initial?: number;
  /**
   * The longest delay, in milliseconds.
   * @default 30_000
   */
  readonly max?: number;
  /**
   * How much each delay grows over the one before.
   * @default 2
   */
  readonly factor?: number;
  /**
   * How much of each delay is random, from 0 (none) to 1 (all of it): with 0.3, a
   * 1000 ms delay lasts between 700 and 1000 ms, so that clients dropped together do
   * not come back together.
   * @default 0.3
   */
  readonly jitter?: number;
  /**
   * The scheduler of the timers.
   * @default asyncScheduler
   */
  readonly scheduler?: SchedulerLike;
  /** The source of randomness (for tests). @default Math.random */
  readonly random?: () => number;
}

/** The defaults of {@link backoff}. */
export const backoffDefaults = {
  /** {@link BackoffOptions.initial} */
  initial: 250,
  /** {@link BackoffOptions.max} */
  max: 30_000,
  /** {@link BackoffOptions.factor} */
  factor: 2,
  /** {@link BackoffOptions.jitter} */
  jitter: 0.3,
} as const;

/**
 * An exponential backoff with jitter, shaped exactly as `retry({ delay })` wants it:
 * `(error, retryCount) => Observable` emitting once after
 * `min(max, initial * factor^(retryCount - 1))`, less up to `jitter` of it at random.
 * The peer's `reconnect` option takes the same function.
 *
 * @example
 * ```ts
 * rpc.request$('eth_blockNumber').pipe(retry({ count: 5, delay: backoff({ initial: 100 }) }));
 * ```
 */
export function backoff(options: BackoffOptions = {}): (error: unknown, retryCount: number) => Observable<0> {
  const { initial, max, factor, jitter } = { ...backoffDefaults, ...options };
  const random = options.random ?? Math.random;
  return (_error, retryCount) => {
    const full = Math.min(max, initial * factor ** Math.max(0, retryCount - 1));
    return timer(full * (1 - jitter * random()), options.scheduler ?? asyncScheduler);
  };
}
