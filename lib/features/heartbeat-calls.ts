import {
  catchError,
  EMPTY,
  exhaustMap,
  ignoreElements,
  interval,
  throwError,
  type Observable,
  type SchedulerLike,
} from 'rxjs';
import { ConnectionClosedError, RequestTimeoutError } from '../protocol/errors';
import type { HeartbeatCall, HeartbeatCalls, HeartbeatOptions } from '../peer/options';

/**
 * The value of `PeerOptions.heartbeat` that finds a link dead though it never closed: calls
 * `method` every `interval` ms while the link is open (outside `requestConcurrency`), and
 * drops the link (a 1006 `ConnectionClosedError`, reason 'heartbeat timeout') when a call
 * gets no answer within `timeout` ms. Any answer, even an error answer, proves the link
 * alive. Its code is in a bundle only where it is imported.
 *
 * @example
 * ```ts
 * import { connect, heartbeatCalls, reconnecting, webSocket } from 'rx-jsonrpc';
 *
 * const rpc = connect(webSocket('wss://api.example.org/rpc'), {
 *   reconnect: reconnecting(),
 *   heartbeat: heartbeatCalls({ interval: 20_000, timeout: 5_000, method: 'ping' }),
 * });
 * ```
 */
export function heartbeatCalls(options: HeartbeatOptions): HeartbeatCalls {
  return { liveness: (call, scheduler) => heartbeat$(options, call, scheduler) };
}

/**
 * Calls `method` every `interval` ms while subscribed and errors with a 1006
 * `ConnectionClosedError` when a call gets no answer in time. Emits nothing.
 */
function heartbeat$(options: HeartbeatOptions, call: HeartbeatCall, scheduler: SchedulerLike): Observable<never> {
  const timeout = options.timeout ?? options.interval;
  return interval(options.interval, scheduler).pipe(
    exhaustMap(() =>
      call(options.method ?? 'ping', options.params, { timeout }).pipe(
        catchError((error: unknown) =>
          error instanceof RequestTimeoutError
            ? throwError(
                () =>
                  new ConnectionClosedError(`No answer to the heartbeat within ${timeout} ms`, {
                    code: 1006,
                    reason: 'heartbeat timeout',
                  }),
              )
            : EMPTY,
        ),
      ),
    ),
    ignoreElements(),
  );
}
