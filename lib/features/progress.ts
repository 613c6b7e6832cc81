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
  type Subscriber,
  type Subscription,
} from 'rxjs';
import { messageOf, ProtocolError, RequestTimeoutError } from '../protocol/errors';
import type { JsonRpcId, JsonRpcParams } from '../protocol/messages';
import type { Dialect } from '../peer/dialect';
import type { RequestOptions } from '../peer/options';
import type { AnyPeer } from '../peer/peer';

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

/**
 * Options of `requestWithProgress$()`: those of any call but `share` (each call has its own
 * progress token), and a bound on the whole call.
 */
export interface ProgressOptions extends Omit<RequestOptions, 'share'> {
  /**
   * The most milliseconds the call may take in all, however much progress it reports
   * (`timeout` restarts with each event).
   * @default Infinity
   */
  readonly maxTimeout?: number;
}

/** Each peer's progress router, made on its first call with progress; forgotten with the peer. */
const routers = new WeakMap<AnyPeer, ProgressRouter>();

/** Numbers the progress tokens of every peer. */
let tokens = 0;

function routerOf(peer: AnyPeer, progress: NonNullable<Dialect['progress']>): ProgressRouter {
  let router = routers.get(peer);
  if (router === undefined) {
    router = new ProgressRouter(peer.notifications$(progress.method), progress.read);
    routers.set(peer, router);
  }
  return router;
}

/**
 * Calls `method` asking for progress, as one cold Observable of events: the progress
 * values the callee reports, in order (`{ kind: 'progress', progress }`), then the result
 * (`{ kind: 'result', result }`), then completion. The peer's dialect says how the progress
 * token travels (in named params) and how progress comes back, routed to the call by token
 * in O(1). The timeout restarts with each event (a call still working is not timed out);
 * `maxTimeout` bounds the whole call. Unsubscribing cancels the call as the dialect says.
 * One Observable rather than a callback or a second stream, so that one subscription owns
 * the call: `filter`, `scan` and `takeUntil` compose.
 *
 * @example
 * ```ts
 * requestWithProgress$(rpc, 'report.build', { id: 7 }, { timeout: 10_000, maxTimeout: 300_000 })
 *   .subscribe((event) => (event.kind === 'progress' ? showProgress(event.progress) : show(event.result)));
 * ```
 */
export function requestWithProgress$<R = unknown, P = unknown>(
  peer: AnyPeer,
  method: string,
  params?: JsonRpcParams,
  options: ProgressOptions = {},
): Observable<ProgressEvent<R, P>> {
  return defer(() => {
    const progress = peer.dialect.progress;
    if (progress === undefined) {
      return throwError(
        () => new ProtocolError(`Request (${method}) not sent: the ${peer.dialect.name} dialect has no progress`),
      );
    }
    const token = `progress-${String(++tokens)}`;
    let withToken: JsonRpcParams;
    try {
      withToken = progress.withToken(params, token);
    } catch (cause) {
      return throwError(() => new ProtocolError(`Request (${method}) not sent: ${messageOf(cause)}`, { cause }));
    }
    let id: JsonRpcId = '?';
    const events$ = merge(
      routerOf(peer, progress)
        .of(token)
        // P and R are what the caller says the dialect carries: unchecked, as for request$<R>()
        .pipe(map((value) => ({ kind: 'progress', progress: value as P }) as const)),
      peer
        .request$(method, withToken, {
          timeout: 0,
          // For the interceptors: a call with progress goes through them as any other.
          context: options.context,
          onId: (sent: JsonRpcId) => {
            id = sent;
            options.onId?.(sent);
          },
        })
        .pipe(map((value) => ({ kind: 'result', result: value as R }) as const)),
    ).pipe(takeWhile((event) => event.kind === 'progress', true));
    return bound(events$, options, peer, () => id, method);
  });
}

/** Applies the restarting timeout and the overall maximum. */
function bound<T>(
  events$: Observable<T>,
  options: ProgressOptions,
  peer: AnyPeer,
  idOf: () => JsonRpcId,
  method: string,
): Observable<T> {
  const each = options.timeout ?? peer.timeout;
  const max = options.maxTimeout ?? Infinity;
  const limited = (ms: number) => ms > 0 && ms < Infinity;
  const { scheduler } = peer;
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
