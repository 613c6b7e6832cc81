import {
  defer,
  map,
  merge,
  Observable,
  takeUntil,
  takeWhile,
  throwError,
  timeout as timeoutAfter,
  timer,
  type SchedulerLike,
  type Subscriber,
  type Subscription,
} from 'rxjs';
import { messageOf, ProtocolError, RequestTimeoutError } from '../protocol/errors';
import type { JsonRpcId, JsonRpcParams } from '../protocol/messages';
import type { Dialect } from './dialect';
import type { RequestOptions } from './options';

/** One event of a call made with progress: progress values first, in order, then the result. */
export type ProgressEvent<R, P = unknown> =
  | {
      /** A progress report, before the answer. */
      readonly kind: 'progress';
      /** The report's value, as the dialect reads it. */
      readonly progress: P;
    }
  | {
      /** The answer; the last event. */
      readonly kind: 'result';
      /** The call's result. */
      readonly result: R;
    };

/**
 * Routes progress notifications to their call by token, through a Map (O(1) per
 * notification); listens to them only while a call waits for progress.
 */
export class ProgressRouter {
  private readonly calls = new Map<unknown, Subscriber<unknown>>();
  private source: Subscription | undefined;

  constructor(
    private readonly notifications$: Observable<unknown>,
    private readonly read: NonNullable<Dialect['progress']>['read'],
  ) {}

  /** The progress values sent for `token`, while subscribed. */
  of(token: string): Observable<unknown> {
    return new Observable((subscriber) => {
      this.calls.set(token, subscriber);
      this.source ??= this.notifications$.subscribe((params) => {
        const progress = this.read(params);
        if (progress !== undefined) this.calls.get(progress.token)?.next(progress.value);
      });
      return () => {
        this.calls.delete(token);
        if (this.calls.size > 0) return;
        this.source?.unsubscribe();
        this.source = undefined;
      };
    });
  }
}

/** What a call with progress needs from its peer. */
export interface ProgressContext {
  readonly dialect: Dialect;
  readonly router: () => ProgressRouter;
  readonly timeout: number;
  readonly scheduler: SchedulerLike;
  nextToken(): string;
  /** A plain call, with no timeout of its own; `onId` learns its id. */
  call$(method: string, params: JsonRpcParams, onId: (id: JsonRpcId) => void): Observable<unknown>;
}

/**
 * A call that reports progress, as one cold Observable: its progress values, in order, then
 * its result, then completion. The timeout restarts with each event (a call still working
 * is not timed out), bounded by `maxTimeout` overall. Unsubscribing cancels the call as the
 * dialect says.
 */
export function requestWithProgress$<R, P>(
  context: ProgressContext,
  method: string,
  params: JsonRpcParams | undefined,
  options: RequestOptions = {},
): Observable<ProgressEvent<R, P>> {
  return defer(() => {
    const progress = context.dialect.progress;
    if (progress === undefined) {
      return throwError(
        () => new ProtocolError(`Request (${method}) not sent: the ${context.dialect.name} dialect has no progress`),
      );
    }
    const token = context.nextToken();
    let withToken: JsonRpcParams;
    try {
      withToken = progress.withToken(params, token);
    } catch (cause) {
      return throwError(() => new ProtocolError(`Request (${method}) not sent: ${messageOf(cause)}`, { cause }));
    }
    let id: JsonRpcId = '?';
    const events$ = merge(
      context
        .router()
        .of(token)
        .pipe(map((value) => ({ kind: 'progress', progress: value as P }) as const)),
      context
        .call$(method, withToken, (sent) => (id = sent))
        .pipe(map((value) => ({ kind: 'result', result: value as R }) as const)),
    ).pipe(takeWhile((event) => event.kind === 'progress', true));
    return bound(events$, options, context, () => id, method);
  });
}

/** Applies the restarting timeout and the overall maximum. */
function bound<T>(
  events$: Observable<T>,
  options: RequestOptions,
  context: ProgressContext,
  idOf: () => JsonRpcId,
  method: string,
): Observable<T> {
  const each = options.timeout ?? context.timeout;
  const max = options.maxTimeout ?? Infinity;
  const limited = (ms: number) => ms > 0 && ms < Infinity;
  const { scheduler } = context;
  let bounded = events$;
  if (limited(each)) {
    bounded = bounded.pipe(
      timeoutAfter({ each, scheduler, with: () => throwError(() => new RequestTimeoutError(idOf(), method, each)) }),
    );
  }
  if (limited(max)) {
    // takeUntil passes on its notifier's error: the overall limit errors the call when it passes.
    const overall$ = timer(max, scheduler).pipe(
      map(() => {
        throw new RequestTimeoutError(idOf(), method, max);
      }),
    );
    bounded = bounded.pipe(takeUntil(overall$));
  }
  return bounded;
}
