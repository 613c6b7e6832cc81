import type { Observable, Subscription } from 'rxjs';
import type { RpcError } from '../protocol/errors';
import type { JsonRpcId, JsonRpcParams } from '../protocol/messages';
import type { ConnectionInfo } from '../transports/transport';
import type {
  IsUntyped,
  Names,
  NotificationsFn,
  NotifyFn,
  ParamsOf,
  Part,
  Request$Fn,
  RequestFn,
  ResultOf,
  RpcApi,
  UntypedApi,
} from './api';
import type { BatchBuilder, BatchMember, BatchObservable, BatchOptions, BatchResults } from './batch';
import type { IncomingRequest } from './incoming-call';
import type { CloseOptions, HandleAllOptions, HandleOptions, RequestOptions } from './options';
import type { ProgressEvent } from './progress';
import type { ProxyOf } from './proxy';
import type { PeerState } from './state';
import type { SubscriptionOptions } from './subscription';
import type { TraceEvent } from './trace';

/**
 * A JSON-RPC 2.0 peer over one transport: it calls, it is notified, and it answers.
 * Made by `connect()`. `Api` (see `RpcApi`) types method names, params and results;
 * without it everything is allowed.
 */
export interface Peer<Api extends RpcApi = UntypedApi> {
  /**
   * Calls `method`. Cold: each subscription sends one request (waiting for the link to
   * open first), then emits the result once and completes. Errors with `JsonRpcError`
   * (the remote error), `RequestTimeoutError`, `ConnectionClosedError` (the link dropped;
   * `isRetryable()` says whether sending again can help), `TransportError` or
   * `ProtocolError` (bad params, a malformed answer). Unsubscribing before the answer
   * forgets the call, and sends the peer's cancel notification if it has one.
   *
   * @example
   * ```ts
   * rpc.request$<number>('math.sum', [1, 2]).pipe(retry(2), timeout(5_000)).subscribe(console.log);
   * ```
   */
  readonly request$: Request$Fn<Api>;

  /**
   * Calls `method` asking for progress, as one cold Observable of events: the progress
   * values the callee reports, in order (`{ kind: 'progress', progress }`), then the result
   * (`{ kind: 'result', result }`), then completion. The dialect says how the progress token
   * travels (in named params) and how progress comes back, routed to the call by token. The
   * timeout restarts with each event; `maxTimeout` bounds the whole call. Unsubscribing
   * cancels the call as the dialect says. One Observable rather than a callback or a second
   * stream, so that one subscription owns the call: `filter`, `scan` and `takeUntil` compose.
   *
   * @example
   * ```ts
   * rpc.requestWithProgress$('report.build', { id: 7 }, { timeout: 10_000, maxTimeout: 300_000 })
   *   .subscribe((event) => (event.kind === 'progress' ? showProgress(event.progress) : show(event.result)));
   * ```
   */
  requestWithProgress$<R = unknown, P = unknown>(
    method: string,
    params?: JsonRpcParams,
    options?: RequestOptions,
  ): Observable<ProgressEvent<R, P>>;

  /** Calls `method` and resolves with the result: `request$()` as a Promise, with the same errors. */
  readonly request: RequestFn<Api>;

  /**
   * Sends a notification (no answer, no id). Goes out at once when the link is open, or
   * when it opens. Throws `ProtocolError` for a bad method or params that cannot be
   * serialised, and `ConnectionClosedError` on a closed peer.
   */
  readonly notify: NotifyFn<Api>;

  /**
   * Incoming notifications. Hot: emits what arrives while subscribed, never errors, and
   * completes when the peer closes. Without a method: every notification, whole. With a
   * method: the params of each notification of that method (undefined when it has none).
   */
  readonly notifications$: NotificationsFn<Api>;

  /**
   * Several calls and notifications sent as one array frame. `build` describes the members
   * with the builder it is given (typed like `request$` and `notify`). Cold: each
   * subscription sends the batch once (when the link is open), then emits every member's
   * outcome in order (`{ ok, value }` or `{ ok: false, error }`) once all are answered,
   * and completes. A member's failure is its own unless `failFast`; a member missing from
   * the answer fails with `ProtocolError`. `.members` gives each member as its own
   * Observable (subscribed together, they share one frame).
   *
   * @example
   * ```ts
   * const [sum, user] = await firstValueFrom(
   *   rpc.batch$((b) => [b.request('math.sum', [1, 2]), b.request('user.get', { id: 7 })]),
   * );
   * if (sum.ok) console.log(sum.value);
   * ```
   */
  batch$<const T extends readonly BatchMember[]>(
    build: (builder: BatchBuilder<Api>) => T,
    options?: BatchOptions,
  ): BatchObservable<T>;

  /** `batch$()` as a Promise of the members' outcomes. */
  batch<const T extends readonly BatchMember[]>(
    build: (builder: BatchBuilder<Api>) => T,
    options?: BatchOptions,
  ): Promise<BatchResults<T>>;

  /**
   * A server-side subscription (`eth_subscribe` and the like) as an Observable of the
   * values its notifications carry. Shared and ref-counted: the first subscriber calls
   * `method` (whose answer is the subscription id), later ones share it, and when the last
   * leaves, `options.unsubscribe` is called with the id. Notifications are routed by
   * subscription id in O(1); those arriving before the subscribe call's answer are kept.
   * After a reconnect it subscribes again and carries on with the new id. Errors with the
   * subscribe call's error (a remote refusal), or with the link's error when the peer
   * closes after a drop; completes when the peer is closed.
   *
   * @example
   * ```ts
   * rpc.subscription$<Block>('eth_subscribe', ['newHeads'], {
   *   notification: 'eth_subscription',
   *   unsubscribe: 'eth_unsubscribe',
   * }).subscribe((block) => console.log(block.number));
   * ```
   */
  subscription$<T = unknown>(
    method: string,
    params: JsonRpcParams | undefined,
    options: SubscriptionOptions<T>,
  ): Observable<T>;

  /**
   * Serves `method` for the other side: the handler's value, Promise or Observable (first
   * value) becomes the answer; a thrown `JsonRpcError` becomes the error answer; anything
   * else thrown answers -32603 with no details and is reported on `errors$` as
   * `HandlerError`. Notifications of `method` run the handler too (its result is ignored).
   * Replaces an earlier handler of the same method. Unsubscribe the returned subscription
   * to remove it.
   *
   * @example
   * ```ts
   * rpc.handle('ui.confirm', ({ text }: { text: string }) => window.confirm(text));
   * ```
   */
  readonly handle: HandleFn<Api>;

  /**
   * The namespace proxy: `rpc.proxy.app.users.get(7)` is `rpc.request$('app.users.get', [7])`
   * (a cold Observable), typed by the API. Arguments become positional params, except a
   * single plain object, which is sent as named params; `$call(params)` sends exact params
   * and `$notify(...)` sends a notification. Not a thenable; printing it sends nothing.
   * Reserved names: `then`, `toString`, `toJSON`, `valueOf`, `$call`, `$notify`.
   *
   * @example
   * ```ts
   * rpc.proxy.math.sum(1, 2).subscribe(console.log); // math.sum [1, 2]
   * rpc.proxy.users.find({ name: 'ada' }); // users.find {"name":"ada"}
   * rpc.proxy.users.find.$call([{ name: 'ada' }]); // users.find [{"name":"ada"}]
   * ```
   */
  readonly proxy: ProxyOf<Api>;

  /**
   * Serves every function of `methods`, nested objects being namespaces:
   * `{ math: { sum, product } }` serves `math.sum` and `math.product`. Functions are
   * bound to the object holding them. Unsubscribe the returned subscription to remove them all.
   *
   * @example
   * ```ts
   * rpc.handleAll({ math: { sum: positional((a: number, b: number) => a + b) }, ping: () => 'pong' });
   * ```
   */
  handleAll(methods: HandlerTree, options?: HandleAllOptions): Subscription;

  /**
   * Incoming requests that no handler serves. Hot. While someone subscribes, such
   * requests are emitted here to be answered with `respond()`; with no subscriber they
   * are answered -32601 Method not found. Completes when the peer closes.
   */
  readonly requests$: Observable<IncomingRequest>;

  /**
   * Messages that are not JSON-RPC (objects with none of `jsonrpc`, `method`, `result` and
   * `error`), which some servers push on the same link, e.g. `{"event":"volume_changed"}`.
   * Hot. While someone subscribes they are emitted here, parsed, and are not errors; with
   * no subscriber each is a `ProtocolError` on `errors$`. Either way they settle no call, even
   * one whose id they carry, unless a `lenient` option takes one as an answer first
   * (`missingResult` for `{"id": 1}`). Completes when the peer closes.
   *
   * @example
   * ```ts
   * rpc.foreign$.subscribe((message) => console.log('an event of the server', message));
   * ```
   */
  readonly foreign$: Observable<unknown>;

  /** The link's state; replays the current one, never errors, completes after `closed`. */
  readonly state$: Observable<PeerState>;

  /** Every frame in and out, and every reported problem. Hot; costs nothing without subscribers. */
  readonly trace$: Observable<TraceEvent>;

  /**
   * Problems that belong to no caller: malformed frames, answers nobody waits for, error
   * answers without an id, failing handlers. Hot; never errors; completes when the peer closes.
   */
  readonly errors$: Observable<RpcError>;

  /** State kept for the life of this peer, seen by handlers as `context.session`. */
  readonly session: Record<string, unknown>;

  /** How many calls have been sent and await their answer. */
  readonly pendingCount: number;

  /** How many incoming requests are being answered now. */
  readonly answeringCount: number;

  /**
   * Closes the peer for good: closes the link (code 1000 unless given), errors every
   * pending and waiting call with a non-retryable `ConnectionClosedError`, stops running
   * handlers, and completes every stream. With `drain`, first waits (that many ms at most)
   * for the requests being answered to finish. Resolves once closed; synchronous without
   * `drain`. Calling it again does nothing.
   */
  close(options?: CloseOptions): Promise<void>;
}

// The handler types live beside Peer because they name each other (a handler's context
// holds the peer; the peer's handle() takes handlers): one module keeps imports acyclic.

/** What a handler receives besides the params. */
export interface HandlerContext {
  /** The peer that received the call: use it to call back or notify the caller. */
  readonly peer: Peer;
  /** The method called. */
  readonly method: string;
  /** The request's id; undefined when the call is a notification (its result is ignored). */
  readonly id: JsonRpcId | null | undefined;
  /** Facts about the link the call came over (for a server: the upgrade request's headers, address...). */
  readonly connection: ConnectionInfo | undefined;
  /**
   * State kept for the life of the peer (one connection on a server), shared by all its
   * handlers: the place for the identity a `login` call establishes.
   */
  readonly session: Record<string, unknown>;
  /**
   * Aborted when the caller cancels the call (its dialect's cancel notification), when the
   * call times out (`handlerTimeout`), or when the link to the caller is lost: stop the work.
   */
  readonly signal: AbortSignal;
  /**
   * Reports progress to the caller, if the call asked for it (its params carry the
   * dialect's progress token); otherwise does nothing.
   */
  progress(value: unknown): void;
}

/**
 * Serves one method. Receives the params as sent (an array, an object, or undefined) and
 * returns the result: a value, a Promise, or an Observable (its first value; no value
 * answers null). Throwing or rejecting with a `JsonRpcError` answers with that error;
 * anything else answers -32603 Internal error without details.
 */
export type Handler<P = unknown, R = unknown> = (
  params: P,
  context: HandlerContext,
) => R | PromiseLike<R> | Observable<R>;

/**
 * Methods to serve, as a plain object whose nested plain objects are namespaces:
 * `{ math: { sum } }` serves `math.sum`. Any other kind of value is refused, so that
 * nothing is exposed by accident.
 */
export interface HandlerTree {
  readonly [name: string]: Handler<never> | HandlerTree;
}

/** `handle` as typed by an API. */
export type HandleFn<Api extends RpcApi> =
  IsUntyped<Part<Api, 'serves'>> extends true
    ? <P = unknown, R = unknown>(method: string, handler: Handler<P, R>, options?: HandleOptions) => Subscription
    : <M extends Names<Part<Api, 'serves'>>>(
        method: M,
        handler: Handler<ParamsOf<Part<Api, 'serves'>[M]>, ResultOf<Part<Api, 'serves'>[M]>>,
        options?: HandleOptions,
      ) => Subscription;
