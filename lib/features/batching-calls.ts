import type { SchedulerLike, Subscription } from 'rxjs';
import type { Batching, BatchingOptions, BatchSchedule } from '../peer/options';

/**
 * The value of `PeerOptions.batching` that sends the calls and notifications made within one
 * tick (or `window` ms) as one batch frame, and at once when `maxSize` are collected. Its code
 * is in a bundle only where it is imported.
 *
 * @example
 * ```ts
 * import { batchingCalls, connect, webSocket } from 'rx-jsonrpc';
 *
 * const rpc = connect(webSocket('wss://api.example.org/rpc'), { batching: batchingCalls() });
 * ```
 */
export function batchingCalls(options: BatchingOptions = {}): Batching {
  const { window = 0, maxSize = 100 } = options;
  return { schedule: (flush, scheduler) => new TickSchedule(window, maxSize, flush, scheduler) };
}

/** One peer's batches: flushed at `maxSize`, after `window` ms, or (window 0) once the microtasks queued so far have run. */
class TickSchedule implements BatchSchedule {
  private timer: Subscription | undefined;
  private planned = false;

  constructor(
    private readonly window: number,
    private readonly maxSize: number,
    private readonly flush: () => void,
    private readonly scheduler: SchedulerLike,
  ) {}

  added(size: number): void {
    if (size >= this.maxSize) return this.flush();
    if (this.window > 0) {
      this.timer ??= this.scheduler.schedule(() => this.flush(), this.window);
    } else if (!this.planned) {
      this.planned = true;
      queueMicrotask(() => {
        // Written already (full, or flushed by a release): nothing planned is left to do.
        if (this.planned) this.flush();
      });
    }
  }

  cancel(): void {
    this.planned = false;
    this.timer?.unsubscribe();
    this.timer = undefined;
  }
}
