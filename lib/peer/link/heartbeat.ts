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
import { ConnectionClosedError, RequestTimeoutError } from '../../protocol/errors';
import type { JsonRpcParams } from '../../protocol/messages';
import type { HeartbeatOptions, RequestOptions } from '../options';

type Call = (method: string, params: JsonRpcParams | undefined, options: RequestOptions) => Observable<unknown>;

/**
 * Calls `method` every `interval` ms while subscribed and errors with a 1006
 * `ConnectionClosedError` when a call gets no answer in time. Any answer, even an error
 * answer, proves the link alive. Emits nothing.
 */
export function heartbeat$(options: HeartbeatOptions, call: Call, scheduler: SchedulerLike): Observable<never> {
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
