import type { Observable, SchedulerLike, Subscription } from 'rxjs';
import type { JsonRpcError, RpcError } from '../protocol/errors';
import type {
  JsonRpcErrorObject,
  JsonRpcId,
  JsonRpcNotification,
  JsonRpcParams,
  JsonRpcRequest,
  JsonRpcResponse,
} from '../protocol/messages';
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
import type { Dialect } from './dialect';
import type { CloseOptions, HandleAllOptions, HandleOptions } from './options';
import type { PeerState } from './state';
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

  /**
   * Every message this peer receives, classified once (`response`, `request`,
   * `notification`, or `invalid`), the members of a batch one by one, each emitted before
   * the peer acts on it. Hot; never errors; completes when the peer closes. Frames that are
   * not JSON carry no message: they go to `errors$`. Watching changes nothing the peer does,
   * and costs nothing while nobody watches. For what the library does not do itself:
   * metrics, logs, routing of your own.
   *
   * @example
   * ```ts
   * rpc.incoming$.subscribe((m) => m.kind === 'notification' && console.log('notified', m.message.method));
   * ```
   */
  readonly incoming$: Observable<IncomingMessage>;

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

  // For features built on the peer (`subscription$`, `requestWithProgress$`, `batch$`...,
  // and your own): what they read of it and the two things they may ask of it.

  /** The dialect the peer speaks (its cancel notification, its progress), as resolved by `connect()`. */
  readonly dialect: Dialect;

  /** The scheduler of the peer's timers (the `scheduler` option): features time with it too. */
  readonly scheduler: SchedulerLike;

  /** The peer's default call timeout in ms (the `timeout` option; 0 waits forever). */
  readonly timeout: number;

  /** Reports a problem that belongs to no caller: it goes to `errors$` and `trace$`. */
  report(error: RpcError): void;

  /**
   * Runs `start`, and sends every call and notification it starts synchronously (while it
   * runs) as one array frame: at once on an open link, otherwise in its place in the queue
   * when the link opens. Ending the returned subscription ends `start`'s. If `start` throws,
   * nothing is held and the error is rethrown. `batch$()` is built on it.
   */
  sendTogether(start: () => Subscription): Subscription;

  /**
   * Closes the peer for good: closes the link (code 1000 unless given), errors every
   * pending and waiting call with a non-retryable `ConnectionClosedError`, stops running
   * handlers, and completes every stream. With `drain`, first waits (that many ms at most)
   * for the requests being answered to finish. Resolves once closed; synchronous without
   * `drain`. Calling it again does nothing.
   */
  close(options?: CloseOptions): Promise<void>;
}

/**
 * A peer whatever its API: what features built on the peer take, since `Peer<Api>` of any
 * `Api` is assignable to it (its calls are untyped).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- `any` is the one API every Peer<Api> is assignable to
export type AnyPeer = Peer<any>;

// The handler types live beside Peer because they name each other (a handler's context
// holds the peer; the peer's handle() takes handlers): one module keeps imports acyclic.

/** What a handler receives besides the params. */
export interface HandlerContext {
  /**
   * The peer that received the call: use it to call back or notify the caller. A getter, as
   * `signal` (`{ ...context }` does not copy it; destructure it instead): a server answering
   * a POST with its methods makes the POST's peer only when a handler reads it.
   */
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
   * Made when first read (a getter: `{ ...context }` does not copy it; destructure it instead).
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

/**
 * A request that no handler serves, as `requests$` emits it. Answer it once with
 * `respond()` or `respondError()`; later answers are ignored.
 */
export interface IncomingRequest {
  /** The request's id. */
  readonly id: JsonRpcId | null;
  /** The method called. */
  readonly method: string;
  /** The params, as received. */
  readonly params: JsonRpcParams | undefined;
  /** Answers with a result (undefined is sent as null). */
  respond(result: unknown): void;
  /** Answers with an error. */
  respondError(error: JsonRpcError | JsonRpcErrorObject): void;
}

/**
 * One incoming message, classified once, as `Peer.incoming$` emits it: a response to one
 * of this peer's calls, a request or a notification for it, or something invalid (malformed
 * JSON-RPC, or not JSON-RPC at all). The members of a batch come one by one.
 */
export type IncomingMessage = (
  | {
      /** An answer to one of this peer's calls. */
      readonly kind: 'response';
      /** The response, as parsed. */
      readonly message: JsonRpcResponse;
    }
  | {
      /** A call to this peer. */
      readonly kind: 'request';
      /** The request, as parsed. */
      readonly message: JsonRpcRequest;
    }
  | {
      /** A notification to this peer. */
      readonly kind: 'notification';
      /** The notification, as parsed. */
      readonly message: JsonRpcNotification;
    }
  | {
      /** Not a valid JSON-RPC message: the peer answers, salvages or reports it as usual. */
      readonly kind: 'invalid';
      /** What arrived, as parsed JSON. */
      readonly message: unknown;
    }
) & {
  /** Whether it came as a member of a batch (an array frame). */
  readonly inBatch: boolean;
};
