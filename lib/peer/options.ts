import type { MonoTypeOperatorFunction, Observable, ObservableInput, SchedulerLike } from 'rxjs';
import type { RpcError } from '../protocol/errors';
import type { JsonRpcId, JsonRpcParams } from '../protocol/messages';
import type { Dialect } from './dialect';

/**
 * The notification a peer sends when a call is abandoned before its answer
 * (unsubscribed, timed out), e.g. LSP's `$/cancelRequest`.
 */
export interface CancelNotification {
  /** The notification's method, e.g. `'$/cancelRequest'`. */
  readonly method: string;
  /** The notification's params for the abandoned call's id, e.g. `(id) => ({ id })`. */
  readonly params: (id: JsonRpcId) => JsonRpcParams;
}

/** Options of `connect()`, grouped by feature. Every one has a default. */
export interface PeerOptions {
  /**
   * Milliseconds a call waits for its answer (counted from subscription, so time spent
   * waiting for the connection counts) before it errors with `RequestTimeoutError`.
   * `0` or `Infinity` waits forever. Each call can override it.
   * @default 30_000
   */
  readonly timeout?: number;
  /**
   * Makes the id of each outgoing call. Ids must be unique among calls in flight.
   * @default increasing integers from 1
   */
  readonly nextId?: () => JsonRpcId;
  /**
   * A notification to send when a call is abandoned before its answer; overrides the
   * dialect's cancel notification for calls this peer makes.
   * @default the dialect's, if it has one; otherwise none (the call is forgotten silently; a late answer is dropped)
   */
  readonly cancel?: CancelNotification;
  /**
   * How the protocol on top of JSON-RPC cancels calls and reports progress: `lsp()`,
   * `mcp()`, `generic()`, or a `Dialect` of your own. Calls made here send its cancel
   * notification when abandoned and ask for progress its way; calls answered here are
   * cancelled by its cancel notification and report progress its way.
   * @default generic() without its cancel notification
   */
  readonly dialect?: Dialect;
  /**
   * How many handlers of incoming calls (requests and notifications) run at once; the
   * others wait, in order, within `maxAnswering`.
   * @default Infinity
   */
  readonly handlerConcurrency?: number;
  /**
   * The most incoming calls (requests and notifications with a handler) this peer handles
   * at once, running or waiting for a turn. Past it, a request is answered at once with
   * -32005 (`ServerErrorCodes.LimitExceeded`, "Too many calls in progress") and a
   * notification is dropped; the first refusal of a run is reported on `errors$` as a
   * `ProtocolError`. Calls that end at once (a handler returning a plain value) never
   * count for long: this bounds the slow ones.
   * @default 10_000
   */
  readonly maxAnswering?: number;
  /**
   * The most text, in UTF-16 code units (for ASCII JSON, bytes), of the incoming frames
   * whose calls are being handled: a frame is charged when its first call is taken and
   * given back when its last call ends. Past it, calls are refused as with
   * `maxAnswering`. One frame is always taken when nothing else is held.
   * @default 16_777_216 (16 MiB)
   */
  readonly maxAnsweringBytes?: number;
  /**
   * The largest answer frame this peer sends, in UTF-8 bytes (a batch's answer counts
   * whole). An answer that would be larger is replaced by an error answer, -32005
   * (`ServerErrorCodes.LimitExceeded`, "Answer too large"), and reported on `errors$`; in a
   * batch, the member that would pass the limit and every member answered after it are
   * replaced, the others are sent.
   * @default 16_777_216 (16 MiB, like the transports' `highWaterMark`)
   */
  readonly maxAnswerSize?: number;
  /**
   * Milliseconds the transport may take to open a link (a WebSocket handshake, a TCP
   * connect) before the attempt fails with a retryable `TransportError`; with `reconnect`,
   * the next attempt follows. `0` or `Infinity` waits as long as the transport does.
   * @default 10_000
   */
  readonly connectTimeout?: number;
  /**
   * How many calls this peer keeps in flight at once; the others wait, in order (their
   * timeout counts the wait).
   * @default Infinity
   */
  readonly requestConcurrency?: number;
  /**
   * Functions every call this peer makes goes through, in the style of Angular's functional
   * `HttpInterceptorFn`: `(call, next) => next(call).pipe(...)`. The first listed is the
   * outermost: it sees the call first and the answer last. See {@link Interceptor}.
   *
   * Calls are what `request$()` and `request()` send, and so what is built on them:
   * `createProxy()`, each member of `batch$()`, the calls of `subscription$()` and
   * `requestWithProgress$()`. Notifications (`notify()`), the answers this peer sends to
   * the other side's calls and the peer's own heartbeat calls do not go through them.
   * @default [] (calls go straight out)
   * @example
   * ```ts
   * import { finalize, of, retry, throwError } from 'rxjs';
   * import { connect, isRetryable, webSocket } from 'rx-jsonrpc';
   *
   * const rpc = connect(webSocket(url), {
   *   interceptors: [
   *     // Outermost: times each call, its retries included.
   *     (call, next) => {
   *       const start = performance.now();
   *       return next(call).pipe(finalize(() => console.debug(call.method, performance.now() - start)));
   *     },
   *     // Sends a call again (a new id) when the link dropped under it.
   *     (call, next) =>
   *       next(call).pipe(retry({ count: 2, delay: (error) => (isRetryable(error) ? of(0) : throwError(() => error)) })),
   *     // Innermost: each try carries the token of its moment (this API takes named params).
   *     (call, next) => next({ ...call, params: { ...call.params, token } }),
   *   ],
   * });
   * ```
   */
  readonly interceptors?: readonly Interceptor[];
  /**
   * What to do with a binary frame: `'report'` drops it and reports a `ProtocolError` on
   * `errors$`; `'utf8'` decodes it as UTF-8 text (for servers that send JSON in binary frames).
   * @default 'report'
   */
  readonly binaryFrames?: 'report' | 'utf8';
  /**
   * Re-open the link after it drops (or fails to open): `reconnecting()` for the defaults
   * (exponential backoff with jitter, forever, except after a "go away" close or a 4xx
   * handshake), `reconnecting({ ... })` for a policy. While reconnecting, calls wait for the
   * new link (bounded by their timeout); calls that were in flight when it dropped fail at
   * once with a retryable `ConnectionClosedError`, so `retry()` sends them again. A
   * deliberate `close()` never reconnects. Its code is in the bundle only when
   * `reconnecting` is imported; `true` or a `ReconnectOptions` object (before 0.2.0) is a `TypeError`.
   * @default false (a drop closes the peer for good)
   * @example
   * ```ts
   * import { connect, reconnecting, webSocket } from 'rx-jsonrpc';
   *
   * const rpc = connect(webSocket('wss://api.example.org/rpc'), { reconnect: reconnecting({ maxAttempts: 20 }) });
   * ```
   */
  readonly reconnect?: Reconnect | false;
  /**
   * Detects a link that is dead but never closes: `heartbeatCalls({ interval, timeout, method })`
   * sends the request `method` every `interval` ms; if no answer (any answer, even an error)
   * comes within `timeout` ms, the link is treated as dropped (code 1006). Heartbeat calls
   * skip `requestConcurrency`. On Node, the `ws` transport's ping/pong (`heartbeat` option of
   * `webSocket` from rx-jsonrpc/node) does this below JSON-RPC. Its code is in the bundle only
   * when `heartbeatCalls` is imported; a plain `HeartbeatOptions` object (before 0.2.0) is a `TypeError`.
   * @default undefined (no heartbeat)
   * @example
   * ```ts
   * import { connect, heartbeatCalls, webSocket } from 'rx-jsonrpc';
   *
   * const rpc = connect(webSocket('wss://api.example.org/rpc'), { heartbeat: heartbeatCalls({ interval: 20_000 }) });
   * ```
   */
  readonly heartbeat?: HeartbeatCalls;
  /**
   * Sends the calls and notifications made within one tick (or `window` ms) as one batch
   * frame, so that `forkJoin([rpc.request$('a'), rpc.request$('b')])` costs one frame and one
   * round trip: give `batchingCalls()`. A call unsubscribed before the batch is written is
   * taken out of it. A lone message goes out plain. Without it (or `false`), each message is
   * written at once.
   *
   * @example
   * ```ts
   * import { batchingCalls, connect, webSocket } from 'rx-jsonrpc';
   *
   * const rpc = connect(webSocket('wss://api.example.org/rpc'), { batching: batchingCalls({ window: 10 }) });
   * ```
   */
  readonly batching?: Batching | false;
  /**
   * How many notifications `notify()` keeps while the link is not open, to send once it
   * opens. When full, the oldest is dropped and reported on `errors$`. `0` drops
   * notifications made while the link is down.
   * @default 1000
   */
  readonly notificationQueue?: number;
  /**
   * Milliseconds an incoming request's handler may take; then the request is answered
   * -32001 (`ServerErrorCodes.HandlerTimeout`), an Observable handler is unsubscribed, and
   * a `HandlerError` is reported. `0` or `Infinity` lets handlers take as long as they need
   * (a client answering a confirm dialog may wait on a person). `serve()` sets 60 s.
   * @default 0
   */
  readonly handlerTimeout?: number;
  /**
   * The most messages an incoming batch may hold; a larger batch is answered with one
   * Invalid Request error and none of it is run.
   * @default 1000
   */
  readonly maxBatchSize?: number;
  /**
   * The initial per-connection state that handlers see as `context.session`.
   * @default {}
   */
  readonly session?: Record<string, unknown>;
  /**
   * Quirks of real servers to accept rather than report as malformed (a missing `result`,
   * a non-integer error code, ids echoed as strings). Strict by default.
   * @default {}
   */
  readonly lenient?: LenientOptions;
  /**
   * How messages become the text of frames and back: JSON unless given. For another JSON
   * dialect: numbers past 2^53 as `BigInt` (blockchain nodes), dates revived, a faster
   * parser. A batch is its members' texts joined into an array, so `encode` must write JSON
   * text; `decode` reads whatever the other side sends. What either throws is handled as
   * for JSON: a message that cannot be encoded fails its call (`ProtocolError`), a frame that
   * cannot be decoded is a parse error (-32700, reported). Over a transport that does not
   * serialize (`memoryPair({ serialize: false })`) messages go as objects and it is not used.
   * @default JSON (`JSON.stringify`, `JSON.parse`)
   */
  readonly codec?: Codec;
  /**
   * The scheduler for timeouts (a `TestScheduler` or virtual-time scheduler in tests).
   * @default asyncScheduler
   */
  readonly scheduler?: SchedulerLike;
}

/** The default of every option of {@link PeerOptions}, for users to read and compose. */
export const peerDefaults = {
  /** {@link PeerOptions.timeout} */
  timeout: 30_000,
  /** {@link PeerOptions.handlerConcurrency} */
  handlerConcurrency: Infinity,
  /** {@link PeerOptions.maxAnswering} */
  maxAnswering: 10_000,
  /** {@link PeerOptions.maxAnsweringBytes} */
  maxAnsweringBytes: 16_777_216,
  /** {@link PeerOptions.maxAnswerSize} */
  maxAnswerSize: 16_777_216,
  /** {@link PeerOptions.connectTimeout} */
  connectTimeout: 10_000,
  /** {@link PeerOptions.requestConcurrency} */
  requestConcurrency: Infinity,
  /** {@link PeerOptions.notificationQueue} */
  notificationQueue: 1000,
  /** {@link PeerOptions.handlerTimeout} */
  handlerTimeout: 0,
  /** {@link PeerOptions.maxBatchSize} */
  maxBatchSize: 1000,
  /** {@link PeerOptions.binaryFrames} */
  binaryFrames: 'report',
} as const satisfies PeerOptions;

/** Options of `heartbeatCalls()`, the value of `PeerOptions.heartbeat`. */
export interface HeartbeatOptions {
  /** Milliseconds between heartbeat calls. */
  readonly interval: number;
  /**
   * Milliseconds to wait for an answer.
   * @default interval
   */
  readonly timeout?: number;
  /**
   * The method called; any answer proves the link alive, even "Method not found".
   * @default 'ping'
   */
  readonly method?: string;
  /** The params of the heartbeat call. */
  readonly params?: JsonRpcParams;
}

/** Options of `close()`. */
export interface CloseOptions {
  /**
   * The close code sent to the other side (WebSocket codes: 1001 for "going away").
   * @default 1000
   */
  readonly code?: number;
  /** The close reason sent to the other side. */
  readonly reason?: string;
  /**
   * Milliseconds to wait for the requests being answered to finish (their answers are
   * sent) before closing. Calls keep working meanwhile.
   * @default 0
   */
  readonly drain?: number;
}

/** Per-call options of `request$()` and `request()`. */
export interface RequestOptions {
  /**
   * Milliseconds this call waits for its answer; `0` or `Infinity` waits forever.
   * @default the peer's `timeout`
   */
  readonly timeout?: number;
  /**
   * Told the id the call is given, before it is sent (also when the call is then refused
   * before sending: an id in flight, params that cannot be serialised): to name the call in
   * your own logs or errors. With `share`, only the first subscriber's call is made.
   */
  readonly onId?: (id: JsonRpcId) => void;
  /**
   * Shares one call in flight among the subscribers that ask for the same method and params
   * at the same time, so that ten components asking for the same thing cost one call.
   * @default false
   */
  readonly share?: boolean;
  /**
   * Values for the peer's interceptors (see {@link Interceptor}), never sent: to mark a call
   * as one that needs no auth token, or that must not be retried.
   * @default undefined
   * @example
   * ```ts
   * rpc.request$('auth.login', { user: 'ada' }, { context: { anonymous: true } });
   * ```
   */
  readonly context?: { readonly [key: string]: unknown };
}

/**
 * One outgoing call as interceptors see it. Never changed in place: to send something else,
 * hand `next` a new one (`next({ ...call, params })`).
 */
export interface InterceptedCall {
  /** The method called. */
  readonly method: string;
  /** The params as they will be sent: an array, an object, or undefined for none. */
  readonly params?: JsonRpcParams | undefined;
  /** The call's options (its `timeout`, `onId`, `share`, and the `context` meant for interceptors). */
  readonly options?: RequestOptions | undefined;
}

/**
 * The rest of the chain below an interceptor: returns the cold Observable of `call`'s answer
 * (its result, then complete; or the call's error). Each subscription sends the call again
 * with a new id, under the same rules as `request$()`: unsubscribing abandons it.
 */
export type InterceptorNext = (call: InterceptedCall) => Observable<unknown>;

/**
 * Intercepts the calls of a peer (the `interceptors` option, `withInterceptors()` in
 * Angular): returns what the caller sees, usually `next(call).pipe(...)`. It runs when the
 * call is subscribed, once per subscription, so a `retry()` above it runs it again; what it
 * throws fails that call only. It may change the call (params, options), map the answer or
 * the error, time it, retry it (`next(call).pipe(retry(2))` sends the call again), or answer
 * without calling `next` at all (a cache). The result type the caller names is the
 * interceptor's promise to keep: a map that changes it misleads typed callers.
 *
 * @example
 * ```ts
 * import { catchError, throwError } from 'rxjs';
 * import { ErrorCodes, JsonRpcError, type Interceptor } from 'rx-jsonrpc';
 *
 * const notFound: Interceptor = (call, next) =>
 *   next(call).pipe(
 *     catchError((error: unknown) =>
 *       error instanceof JsonRpcError && error.code === ErrorCodes.MethodNotFound
 *         ? throwError(() => new Error(`The server has no ${call.method}: update the app`, { cause: error }))
 *         : throwError(() => error),
 *     ),
 *   );
 * ```
 */
export type Interceptor = (call: InterceptedCall, next: InterceptorNext) => Observable<unknown>;

/**
 * Where rx-jsonrpc writes its log lines: `console`, or any logger with these four methods
 * (pino, bunyan, winston, a logger of your own). A line about an error is the error itself,
 * `logger.error(error)`, which loggers print with its stack and `cause`; a per-call line is
 * structured as pino and bunyan take it, fields first: `logger.debug(fields, message)`.
 * What throws in these methods is swallowed: a broken logger never breaks a call or a server.
 */
export interface Logger {
  /** Per-call lines of calls that succeed, or were cancelled or abandoned. */
  debug(...values: unknown[]): void;
  /** The link opening, and closing on purpose. */
  info(...values: unknown[]): void;
  /** Calls that fail, the link dropping, problems on `errors$`. */
  warn(...values: unknown[]): void;
  /** Failing handlers, and the server's errors nobody hears. */
  error(...values: unknown[]): void;
}

/** Options of `handle()` and `handleAll()`. */
export interface HandleOptions {
  /**
   * Allows method names beginning with `rpc.`, which the specification reserves for
   * extensions (for example OpenRPC's `rpc.discover`).
   * @default false
   */
  readonly reserved?: boolean;
}

/** Options of `handleAll()`. */
export interface HandleAllOptions extends HandleOptions {
  /**
   * What joins a namespace and a name.
   * @default '.'
   */
  readonly separator?: string;
}

/**
 * The value of `PeerOptions.batching`, made by `batchingCalls()`: when the messages a peer
 * collects go out as one batch frame.
 */
export interface Batching {
  /**
   * Makes one peer's schedule: it calls `flush` when the batch collected so far is to be
   * written. The peer makes it at the first message it collects.
   */
  readonly schedule: (flush: () => void, scheduler: SchedulerLike) => BatchSchedule;
}

/** One peer's schedule of its batch frames (see {@link Batching}). */
export interface BatchSchedule {
  /**
   * A message joined the batch, which now holds `size`. Not told of the messages of an
   * explicit `batch$`, which go out when it is released; a `flush` called meanwhile waits for
   * that. `flush` may be called from here (it calls `cancel` back). If this throws, the message
   * is taken back out and its call fails with the error.
   */
  added(size: number): void;
  /** The batch was written or dropped: a flush planned for it is not to happen. */
  cancel(): void;
}

/** Options of automatic batching: the argument of `batchingCalls()`. */
export interface BatchingOptions {
  /**
   * Milliseconds to collect calls before sending them as one batch; 0 collects what is
   * sent in the same tick (until the microtask queue runs).
   * @default 0
   */
  readonly window?: number;
  /**
   * The most messages in one batch frame; reaching it sends the batch at once.
   * @default 100
   */
  readonly maxSize?: number;
}

/**
 * Quirks of real servers that the peer may accept instead of reporting them as malformed.
 * Each is off by default: strict JSON-RPC 2.0 catches bugs on both sides.
 */
export interface LenientOptions {
  /**
   * A response with neither `result` nor `error` answers `null` (servers that leave out the
   * result of a method that returns nothing).
   * @default false
   */
  readonly missingResult?: boolean;
  /**
   * An error whose `code` is not an integer (`1.5`, `"404"`) is passed on as a `JsonRpcError`,
   * its code read as a number (-32603 when it is not one).
   * @default false
   */
  readonly errorCodes?: boolean;
  /**
   * An answer with id `"1"` for a call sent with id `1` (or the reverse) goes to that call
   * (servers that turn ids into strings).
   * @default false
   */
  readonly idTypes?: boolean;
  /**
   * A frame that is not JSON (a process printing log lines on its stdout) is only reported,
   * not answered with a Parse error.
   * @default false
   */
  readonly textFrames?: boolean;
}

/** Options of `reconnecting()`: how a peer re-opens its link after it drops; see `PeerOptions.reconnect`. */
export interface ReconnectOptions {
  /**
   * The wait before each attempt: any `retry({ delay })` function (the attempt counts
   * from 1 after a drop of a link that stayed open `resetAfter` ms, and goes on counting
   * otherwise). Emit to try again; error to give up with that error.
   * @default backoff()
   */
  readonly delay?: (error: RpcError, attempt: number) => ObservableInput<unknown>;
  /**
   * Failed attempts in a row after which the peer gives up and closes.
   * @default Infinity
   */
  readonly maxAttempts?: number;
  /**
   * Milliseconds after a drop after which the peer stops trying and closes.
   * @default Infinity
   */
  readonly deadline?: number;
  /**
   * Whether a link that ended with `error` is worth re-opening.
   * @default reconnectable
   */
  readonly shouldReconnect?: (error: RpcError) => boolean;
  /**
   * Milliseconds a link must stay open to count as healthy: only then does the next drop
   * start again from attempt 1 (and a new `deadline`). A server that accepts and drops at
   * once keeps the backoff growing instead of being hit several times a second.
   * @default 5_000
   */
  readonly resetAfter?: number;
}

/** How a peer turns messages into the text of frames and back; see `PeerOptions.codec`. */
export interface Codec {
  /** The JSON text of one message (an object). Throws for a value it cannot write. */
  encode(message: object): string;
  /** The value the text of one frame holds: a message, or an array of them (a batch). Throws for text it cannot read. */
  decode(text: string): unknown;
}

/**
 * What `PeerOptions.reconnect` takes: how the peer re-opens its link, made by
 * `reconnecting()`. A value rather than options, so that a peer that does not reconnect
 * carries none of its code. Write one of your own to reconnect by other rules.
 */
export interface Reconnect {
  /**
   * An operator on the peer's stream of links, subscribed once for the peer's life: each
   * value is a link that opened; each error, a link that ended (or could not open). It
   * subscribes again to re-open the link (telling `hooks.retrying` before each wait), or
   * errors with `hooks.lost(cause)` to give up, which closes the peer. `clock` is the
   * peer's scheduler.
   */
  readonly retryLinks: <T>(clock: SchedulerLike, hooks: ReconnectHooks) => MonoTypeOperatorFunction<T>;
}

/** What a peer tells and asks its {@link Reconnect}. */
export interface ReconnectHooks {
  /** Turns what ended a link into the error it ended with. */
  lost(cause: unknown): RpcError;
  /** Whether the peer is closing: it never reconnects then. */
  closing(): boolean;
  /** Told before each wait for the next attempt (`state$` says 'reconnecting'). */
  retrying(error: RpcError, attempt: number): void;
}

/**
 * A call as a {@link HeartbeatCalls} makes it: `request$()` of the peer, outside the
 * `requestConcurrency` limit (slow calls must not make a live link look dead).
 */
export type HeartbeatCall = (
  method: string,
  params: JsonRpcParams | undefined,
  options: RequestOptions,
) => Observable<unknown>;

/**
 * What `PeerOptions.heartbeat` takes: the liveness check of each link, made by
 * `heartbeatCalls()`. A value rather than options, so that a peer without a heartbeat
 * carries none of its code.
 */
export interface HeartbeatCalls {
  /**
   * Subscribed while each link is open, unsubscribed when it ends: emits nothing, and
   * errors to declare the link dead (which drops it: the peer reconnects or closes).
   * `call` makes calls that skip the concurrency limit; `scheduler` is the peer's.
   */
  readonly liveness: (call: HeartbeatCall, scheduler: SchedulerLike) => Observable<never>;
}
