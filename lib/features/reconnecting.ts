import { defer, retry, tap, type MonoTypeOperatorFunction, type ObservableInput, type SchedulerLike } from 'rxjs';
import { backoff } from '../operators/backoff';
import { ConnectionClosedError, TransportError, type RpcError } from '../protocol/errors';
import type { Reconnect, ReconnectHooks, ReconnectOptions } from '../peer/options';

/**
 * The value of `PeerOptions.reconnect` that re-opens the link after it drops or fails to
 * open, as `options` say: by default after `backoff()`, forever, unless the link ended in a
 * way `reconnectable` refuses. Its code is in a bundle only where it is imported.
 *
 * @example
 * ```ts
 * import { backoff, connect, reconnecting, webSocket } from 'rx-jsonrpc';
 *
 * const rpc = connect(webSocket('wss://api.example.org/rpc'), {
 *   reconnect: reconnecting({ delay: backoff({ initial: 500 }), maxAttempts: 20 }),
 * });
 * ```
 */
export function reconnecting(options: ReconnectOptions = {}): Reconnect {
  const policy: ReconnectPolicy = {
    delay: options.delay ?? backoff(),
    maxAttempts: options.maxAttempts ?? Infinity,
    deadline: options.deadline ?? Infinity,
    shouldReconnect: options.shouldReconnect ?? reconnectable,
    resetAfter: options.resetAfter ?? 5_000,
  };
  return { retryLinks: (clock, hooks) => reconnectLinks(policy, clock, hooks) };
}

/** Close codes that mean "do not come back like this": protocol error, unsupported or invalid data, policy violation. */
const goAwayCodes = new Set([1002, 1003, 1007, 1008]);

/**
 * The default reconnect decision: yes after a drop or a failed attempt, no after a close
 * that means "go away" (1002, 1003, 1007, 1008), and no after a handshake refused with an
 * HTTP status of 400-499 (401 Unauthorized, 403 Forbidden, 404...) other than 408 and 429,
 * and no after a `TransportError` that says it is not retryable (a socket that cannot be opened again).
 */
export function reconnectable(error: RpcError): boolean {
  if (error instanceof ConnectionClosedError) return !goAwayCodes.has(error.code);
  if (error instanceof TransportError && !error.retryable) return false;
  if (error instanceof TransportError && error.status !== undefined) {
    return error.status < 400 || error.status >= 500 || error.status === 408 || error.status === 429;
  }
  return true;
}

/** A reconnect policy with every option filled in. */
interface ReconnectPolicy {
  readonly delay: (error: RpcError, attempt: number) => ObservableInput<unknown>;
  readonly maxAttempts: number;
  readonly deadline: number;
  readonly shouldReconnect: (error: RpcError) => boolean;
  readonly resetAfter: number;
}

/**
 * The policy as an operator on a stream of links (`link$`): after a link ends, subscribes
 * again as `policy` says, and errors with the link's error when it gives up. Each value is
 * a link that opened; only one that stayed open `resetAfter` ms starts the count of
 * attempts (and the `deadline`) again.
 */
function reconnectLinks<T>(
  policy: ReconnectPolicy,
  clock: SchedulerLike,
  hooks: ReconnectHooks,
): MonoTypeOperatorFunction<T> {
  return (links$) =>
    defer(() => {
      let attempt = 0;
      let droppedAt: number | undefined;
      let openedAt: number | undefined;
      return links$.pipe(
        tap(() => (openedAt = clock.now())),
        retry({
          delay: (cause: unknown) => {
            const error = hooks.lost(cause);
            // A server that accepts and drops at once must not reset the backoff.
            if (openedAt !== undefined && clock.now() - openedAt >= policy.resetAfter) {
              attempt = 0;
              droppedAt = undefined;
            }
            openedAt = undefined;
            droppedAt ??= clock.now();
            attempt++;
            const giveUp =
              hooks.closing() ||
              !policy.shouldReconnect(error) ||
              attempt > policy.maxAttempts ||
              clock.now() - droppedAt > policy.deadline;
            if (giveUp) throw error;
            hooks.retrying(error, attempt);
            return policy.delay(error, attempt);
          },
        }),
      );
    });
}
