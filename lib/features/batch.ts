import { catchError, defer, firstValueFrom, forkJoin, map, Observable, of, share, type ObservableInput } from 'rxjs';
import type { RpcError } from '../protocol/errors';
import type { JsonRpcParams } from '../protocol/messages';
import type { ArgsOf, IsUntyped, ParamsOf, Part, ResultOf, RpcApi } from '../peer/api';
import type { RequestOptions } from '../peer/options';
import type { AnyPeer, Peer } from '../peer/peer';

/** The outcome of one member of a batch, as `Promise.allSettled` would put it. */
export type Settled<R> =
  | {
      /** The call succeeded. */
      readonly ok: true;
      /** Its result. */
      readonly value: R;
    }
  | {
      /** The call failed. */
      readonly ok: false;
      /** Why: a `JsonRpcError` from the other side, or a local failure. */
      readonly error: RpcError;
    };

/** A request in a batch; `R` is its result type. */
export interface BatchRequest<R> {
  /** Tells a request from a notification. */
  readonly kind: 'request';
  /** The method to call. */
  readonly method: string;
  /** The call's params, if any. */
  readonly params?: JsonRpcParams;
  /** Options of this call (its timeout...). */
  readonly options?: RequestOptions;
  /** Carries the result type only; never set. */
  readonly result?: R;
}

/** A notification in a batch. */
export interface BatchNotification {
  /** Tells a notification from a request. */
  readonly kind: 'notification';
  /** The method to notify. */
  readonly method: string;
  /** The notification's params, if any. */
  readonly params?: JsonRpcParams;
}

/** Any member of a batch. */
export type BatchMember = BatchRequest<unknown> | BatchNotification;

type Names<Methods> = keyof Methods & string;

/** Builds the members of a batch, typed by the peer's API as `request$` and `notify` are. */
export interface BatchBuilder<Api extends RpcApi> {
  /** Makes a request member: a method and its params, typed by the API. */
  readonly request: IsUntyped<Part<Api, 'calls'>> extends true
    ? <R = unknown>(method: string, params?: JsonRpcParams, options?: RequestOptions) => BatchRequest<R>
    : <M extends Names<Part<Api, 'calls'>>>(
        method: M,
        ...args: ArgsOf<ParamsOf<Part<Api, 'calls'>[M]>, RequestOptions>
      ) => BatchRequest<ResultOf<Part<Api, 'calls'>[M]>>;
  /** Makes a notification member: a method and its params, typed by the API. */
  readonly notify: IsUntyped<Part<Api, 'sends'>> extends true
    ? (method: string, params?: JsonRpcParams) => BatchNotification
    : <M extends Names<Part<Api, 'sends'>>>(
        method: M,
        ...args: ArgsOf<Part<Api, 'sends'>[M], never>
      ) => BatchNotification;
}

/** The settled outcome of each member, in the order of the members (`undefined` for a notification). */
export type BatchResults<T extends readonly BatchMember[]> = {
  -readonly [K in keyof T]: T[K] extends BatchRequest<infer R> ? Settled<R> : Settled<undefined>;
};

/** Each member's own Observable: its result, or its error. */
export type BatchMembers<T extends readonly BatchMember[]> = {
  -readonly [K in keyof T]: Observable<T[K] extends BatchRequest<infer R> ? R : undefined>;
};

/** A batch: an Observable of all the outcomes, with each member also as its own Observable. */
export type BatchObservable<T extends readonly BatchMember[]> = Observable<BatchResults<T>> & {
  /** Each member's result as its own Observable; members subscribed together share one batch frame. */
  readonly members: BatchMembers<T>;
};

/** Options of `batch$()`. */
export interface BatchOptions {
  /**
   * Error the whole batch with the first member's error (and drop the other calls), as
   * `forkJoin` would; otherwise each member's failure is only its own.
   * @default false
   */
  readonly failFast?: boolean;
}

/** The builder handed to `batch$()`: it only describes members; nothing is sent until subscription. */
const batchBuilder: BatchBuilder<RpcApi> = {
  request: (method: string, params?: JsonRpcParams, options?: RequestOptions) => ({
    kind: 'request',
    method,
    params,
    options,
  }),
  notify: (method: string, params?: JsonRpcParams) => ({ kind: 'notification', method, params }),
  // the builder only records what it is given; its typed signatures are for callers
} as BatchBuilder<RpcApi>;

/**
 * Several calls and notifications sent as one array frame. `build` describes the members
 * with the builder it is given (typed like the peer's `request$` and `notify`). Cold: each
 * subscription sends the batch once (when the link is open), then emits every member's
 * outcome in order (`{ ok, value }` or `{ ok: false, error }`) once all are answered, and
 * completes. A member's failure is its own unless `failFast`; a member missing from the
 * answer fails with `ProtocolError`. `.members` gives each member as its own Observable
 * (subscribed together, they share one frame).
 *
 * @example
 * ```ts
 * const [sum, user] = await firstValueFrom(
 *   batch$(rpc, (b) => [b.request('math.sum', [1, 2]), b.request('user.get', { id: 7 })]),
 * );
 * if (sum.ok) console.log(sum.value);
 * ```
 */
export function batch$<Api extends RpcApi, const T extends readonly BatchMember[]>(
  peer: Peer<Api>,
  build: (builder: BatchBuilder<Api>) => T,
  options: BatchOptions = {},
): BatchObservable<T> {
  // The builder is the same object for every API: only its type narrows.
  const members = build(batchBuilder as BatchBuilder<Api>);
  const untyped: AnyPeer = peer;
  const outcome = (member: BatchMember): ObservableInput<Settled<unknown>> => {
    const value$ =
      member.kind === 'request'
        ? untyped.request$(member.method, member.params, member.options)
        : defer(() => {
            untyped.notify(member.method, member.params);
            return of(undefined);
          });
    const settled$ = value$.pipe(map((value): Settled<unknown> => ({ ok: true, value })));
    return options.failFast
      ? settled$
      : settled$.pipe(catchError((error: RpcError) => of({ ok: false, error } as const)));
  };

  const results$ = new Observable<BatchResults<T>>((subscriber) => {
    if (members.length === 0) {
      // no members: the empty tuple
      subscriber.next([] as unknown as BatchResults<T>);
      return subscriber.complete();
    }
    return peer.sendTogether(() =>
      forkJoin(members.map(outcome)).subscribe({
        // forkJoin keeps the members' order: result i is member i's, as BatchResults<T> says
        next: (results) => subscriber.next(results as unknown as BatchResults<T>),
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      }),
    );
  });

  const shared = results$.pipe(share());
  const memberResults = members.map((_, index) =>
    shared.pipe(
      map((results) => {
        // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- one result per member, by index
        const result = (results as readonly Settled<unknown>[])[index]!;
        if (!result.ok) throw result.error;
        return result.value;
      }),
    ),
  );
  // one Observable per member, in order, as BatchMembers<T> says
  return Object.assign(results$, { members: memberResults as unknown as BatchMembers<T> });
}

/** `batch$()` as a Promise of the members' outcomes. */
export function batch<Api extends RpcApi, const T extends readonly BatchMember[]>(
  peer: Peer<Api>,
  build: (builder: BatchBuilder<Api>) => T,
  options?: BatchOptions,
): Promise<BatchResults<T>> {
  return firstValueFrom(batch$(peer, build, options));
}
