import type { WebSocket } from 'ws';
import { PingWheel } from './ping-wheel';

/** WebSocket ping/pong liveness: see {@link keepAlive}. */
export interface PingOptions {
  /** Milliseconds between pings. */
  readonly interval: number;
  /**
   * Milliseconds to wait for the pong before the link is declared dead.
   * @default interval
   */
  readonly timeout?: number;
}

/** The ping/pong defaults of the Node transport and of `serve()`. */
export const pingDefaults = {
  /** {@link PingOptions.interval} */
  interval: 30_000,
  /** {@link PingOptions.timeout} */
  timeout: 10_000,
} as const satisfies PingOptions;

/**
 * Pings an open socket every `interval` and terminates it (close code 1006) when a pong
 * does not come back within `timeout`: a dead link that never closes by itself (a laptop
 * asleep, a cable pulled, a half-open TCP connection) is then seen as the drop it is.
 * Stops by itself when the socket closes. The sockets of one interval and timeout share one
 * timer, which pings each socket in its turn: the first ping comes about one interval after
 * this call, and a missing pong is seen between `timeout` and `timeout` plus a slot of the
 * wheel (an eighth of the interval, 250 ms at most, but no more than 128 slots a turn).
 */
export function keepAlive(socket: WebSocket, options: PingOptions): void {
  const timeout = checkPingOptions(options);
  const key = `${String(options.interval)}/${String(timeout)}`;
  let wheel = wheels.get(key);
  if (wheel === undefined) {
    wheel = new PingWheel(options.interval, timeout, () => wheels.delete(key));
    wheels.set(key, wheel);
  }
  wheel.add(socket);
}

/** The wheels of the process, one per interval and timeout: sockets share timers. */
const wheels = new Map<string, PingWheel>();

/**
 * Returns the timeout of `options` (the interval when not given); throws a TypeError for an
 * interval or a timeout a timer cannot wait (use `heartbeat: false` for no pings).
 */
export function checkPingOptions(options: PingOptions): number {
  const timeout = options.timeout ?? options.interval;
  for (const [name, ms] of [
    ['interval', options.interval],
    ['timeout', timeout],
  ] as const) {
    if (typeof ms !== 'number' || !(ms > 0 && ms <= maxTimer))
      throw new TypeError(
        `The heartbeat ${name} must be a number of ms above 0 and at most ${String(maxTimer)}, got ${String(ms)}`,
      );
  }
  return timeout;
}

/** The longest a Node timer waits (2^31 - 1 ms, about 24.8 days). */
const maxTimer = 2_147_483_647;
