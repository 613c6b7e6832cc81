// What W11 (the C10k soak) asks every server process besides `cpu`: its memory, read each
// second, and its event-loop delay, measured only once the soak asks for it.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { Question } from './child';

/** The process's memory now, without a collection: what a soak sees grow or stay flat. */
export function memoryAnswer({ type }: Question): Record<string, unknown> | undefined {
  if (type !== 'memory') return undefined;
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
}

const resolutionMs = 10;

/**
 * How late the event loop ran (ms, p99 and max) by `histogram`, one of `loopMonitor()`'s: it
 * records each whole interval between its timer's runs, so the interval itself comes off.
 */
export function lateness(histogram: IntervalHistogram): { p99: number; max: number } {
  if (histogram.count === 0) return { p99: Number.NaN, max: Number.NaN };
  const late = (nanos: number) => Math.max(0, nanos / 1e6 - resolutionMs);
  return { p99: late(histogram.percentile(99)), max: late(histogram.max) };
}

/** An event-loop delay histogram, running. */
export function loopMonitor(): IntervalHistogram {
  const histogram = monitorEventLoopDelay({ resolution: resolutionMs });
  histogram.enable();
  return histogram;
}

// Made on the first question: its timer would otherwise tick in every server of W7 to W10.
let histogram: IntervalHistogram | undefined;

/** The event-loop delay since the last `reset`; `reset` starts a new window (and the monitor, the first time). */
export function loopDelayAnswer({ type, reset }: Question): Record<string, unknown> | undefined {
  if (type !== 'loop-delay') return undefined;
  histogram ??= loopMonitor();
  const reading = lateness(histogram);
  if (reset === true) histogram.reset();
  return reading;
}
