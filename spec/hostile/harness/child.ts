import { monitorEventLoopDelay } from 'node:perf_hooks';

/** What the attacked process reports about itself. */
export interface ChildStats {
  /** Resident set size now, in bytes. */
  readonly rss: number;
  /** The largest resident set size seen since the process started (sampled every 10 ms), in bytes. */
  readonly maxRss: number;
  readonly heapUsed: number;
  /** The longest the event loop was blocked since the last reset, in milliseconds. */
  readonly maxLagMs: number;
}

/** A command the parent may send: its argument in, a JSON-serialisable result out. */
export type ChildCommand = (argument: unknown) => unknown;

const tick = 10;

/**
 * Runs inside an attacked process (started by `startTarget`): measures its own event-loop
 * stalls and memory, answers the parent's commands over IPC, and tells the parent it is
 * ready with `info` (a URL, a port). It installs no `uncaughtException` handler: a crash must
 * stay a crash, for the parent to see.
 */
export function hostileChild(info: unknown, commands: Readonly<Record<string, ChildCommand>> = {}): void {
  const send = process.send?.bind(process);
  if (send === undefined) throw new Error('hostileChild() runs in a process started by startTarget()');
  const delay = monitorEventLoopDelay({ resolution: tick });
  delay.enable();
  // A timer's lateness is a stall the histogram may round; keep the larger of the two.
  let last = performance.now();
  let maxGap = 0;
  let maxRss = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last - tick);
    last = now;
    maxRss = Math.max(maxRss, process.memoryUsage.rss());
  }, tick);
  const stats = (reset: unknown): ChildStats => {
    const memory = process.memoryUsage();
    maxRss = Math.max(maxRss, memory.rss);
    const result = {
      rss: memory.rss,
      maxRss,
      heapUsed: memory.heapUsed,
      maxLagMs: Math.max(maxGap, delay.max / 1e6 - tick),
    };
    if (reset === true) {
      maxGap = 0;
      delay.reset();
    }
    return result;
  };
  const all: Record<string, ChildCommand> = { ...commands, stats };
  process.on('message', (message: { id: number; command: string; argument?: unknown }) => {
    const command = all[message.command];
    Promise.resolve()
      .then(() => {
        if (command === undefined) throw new Error(`unknown command ${message.command}`);
        return command(message.argument);
      })
      .then(
        (result) => send({ id: message.id, result: result ?? null }),
        (error: unknown) => send({ id: message.id, error: String((error as Error | undefined)?.message ?? error) }),
      );
  });
  process.on('disconnect', () => {
    clearInterval(sampler);
    process.exit(0);
  });
  send({ ready: info });
}
