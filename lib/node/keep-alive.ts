import type { WebSocket } from 'ws';

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
 * Stops by itself when the socket closes.
 */
export function keepAlive(socket: WebSocket, options: PingOptions): void {
  const timeout = options.timeout ?? options.interval;
  let deadline: ReturnType<typeof setTimeout> | undefined;
  const ping = setInterval(() => {
    if (deadline !== undefined) return;
    deadline = setTimeout(() => socket.terminate(), timeout);
    socket.ping();
  }, options.interval);
  const alive = () => {
    clearTimeout(deadline);
    deadline = undefined;
  };
  socket.on('pong', alive);
  socket.once('close', () => {
    clearInterval(ping);
    alive();
    socket.off('pong', alive);
  });
}
