import { closeCodeMeanings } from './error-codes';
import type { JsonRpcErrorObject, JsonRpcId } from './messages';

/** Options shared by the local error classes. */
export interface RpcErrorOptions {
  /** The underlying failure (a socket error, a `TypeError` from `JSON.stringify`, a remote error...). */
  readonly cause?: unknown;
  /** Whether sending the same call again may succeed; see {@link isRetryable}. */
  readonly retryable?: boolean;
  /** The method of the call the error fails, when it fails one. */
  readonly method?: string;
  /** The id of that call, when it had one. */
  readonly id?: JsonRpcId;
}

/** How errors name a call in their messages: `Request 6 (user.get)`, or `Request (user.get)` before it has an id. */
export function callName(method: string, id?: JsonRpcId): string {
  return `Request ${id === undefined ? '' : `${String(id)} `}(${method})`;
}

/**
 * The base of every error rx-jsonrpc produces. Catch it to catch them all; check the
 * subclass (or `name`) to tell a remote answer from a local failure. Each class's `name`,
 * and its constructor's, is a literal that bundlers and minifiers keep.
 */
export abstract class RpcError extends Error {
  /** The class's name, a literal in each subclass: test it to tell the kinds apart without `instanceof`. */
  abstract override readonly name: string;
  /** Whether the same call may succeed when sent again (for example after a reconnect). */
  readonly retryable: boolean;
  /** The method of the call this error fails (its message names it too); undefined for an error of no call. */
  declare readonly method?: string;
  /** The id of the call this error fails; undefined for an error of no call, or of a call not given an id yet. */
  declare readonly id?: JsonRpcId;

  constructor(message: string, options: RpcErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryable = options.retryable ?? false;
    // Own properties only when set: an error of no call shows no `method: undefined`.
    if (options.method !== undefined) this.method = options.method;
    if (options.id !== undefined) this.id = options.id;
  }
}

/**
 * A remote error: the other peer answered a call with an error object.
 * Also the error a handler throws to choose the code, message and data of its answer.
 * The error of a call names it: `message` is `Request 6 (user.get) failed: No user 7 (404)`,
 * with `method` and `id`; `remoteMessage` is the message as sent, unchanged.
 *
 * @example
 * ```ts
 * rpc.handle('user.get', ([id]: [number]) => {
 *   throw new JsonRpcError(404, `No user ${id}`, { id });
 * });
 * ```
 */
export class JsonRpcError extends RpcError {
  /** Always `'JsonRpcError'`, also after bundling. */
  static override readonly name = 'JsonRpcError';
  /** Always `'JsonRpcError'`. */
  override readonly name = 'JsonRpcError';
  /** The error object's `message` as sent (or given to the constructor), without the call's name. */
  readonly remoteMessage: string;

  constructor(
    /** The error code; the specification's codes are in `ErrorCodes`. */
    readonly code: number,
    /** The error object's message; with `options.method`, `message` names the call before it. */
    message: string,
    /** The optional `data` member, as sent. */
    readonly data?: unknown,
    options?: RpcErrorOptions,
  ) {
    const method = options?.method;
    super(method === undefined ? message : `${callName(method, options?.id)} failed: ${message} (${code})`, options);
    this.remoteMessage = message;
  }

  /**
   * Builds the error from a received error object. With `cause` (the `TransportError` of an
   * HTTP error status it came with), it keeps it and is retryable when that status is.
   */
  static fromObject(error: JsonRpcErrorObject, cause?: RpcError): JsonRpcError {
    const options = cause === undefined ? undefined : { cause, retryable: cause.retryable };
    return new JsonRpcError(error.code, error.message, error.data, options);
  }

  /** The error object to put in a response (with the message as sent: a proxy passes it on unchanged); never includes a stack trace. */
  toJSON(): JsonRpcErrorObject {
    const { code, remoteMessage: message, data } = this;
    return data === undefined ? { code, message } : { code, message, data };
  }
}

/**
 * The link failed below JSON-RPC: the socket could not open, the handshake was refused,
 * or a frame could not be written. The original failure is in `cause`.
 */
export class TransportError extends RpcError {
  /** Always `'TransportError'`, also after bundling. */
  static override readonly name = 'TransportError';
  /** Always `'TransportError'`. */
  override readonly name = 'TransportError';
  /** The HTTP status of a refused handshake or request, where the transport knows it. */
  readonly status: number | undefined;

  constructor(message: string, options: TransportErrorOptions = {}) {
    super(message, options);
    this.status = options.status;
  }
}

/** Options of {@link TransportError}. */
export interface TransportErrorOptions extends RpcErrorOptions {
  /** The HTTP status of a refused handshake or request. */
  readonly status?: number;
}

/** Options of {@link ConnectionClosedError}. */
export interface ConnectionClosedErrorOptions extends RpcErrorOptions {
  /** The close code (WebSocket codes; 1006 when the link dropped without a close frame). */
  readonly code?: number;
  /** The close reason, as sent by the other side. */
  readonly reason?: string;
  /**
   * Whether the transport inferred the code from how the link ended (a byte stream's end, a
   * process's exit) rather than receiving it in a close frame.
   * @default false
   */
  readonly inferred?: boolean;
}

/**
 * The connection closed while a call was pending, or a call was made on a closed peer.
 * Retryable unless the peer itself was closed for good. A message that shows a standard
 * close code it did not infer (`closed (1006)`) ends with what the code means.
 */
export class ConnectionClosedError extends RpcError {
  /** Always `'ConnectionClosedError'`, also after bundling. */
  static override readonly name = 'ConnectionClosedError';
  /** Always `'ConnectionClosedError'`. */
  override readonly name = 'ConnectionClosedError';
  /** The close code; 1006 when the link dropped without a close frame. */
  readonly code: number;
  /** The close reason, possibly empty. */
  readonly reason: string;
  /** Whether the transport inferred `code` from how the link ended (byte streams, processes), with no close frame. */
  readonly inferred: boolean;

  constructor(message: string, options: ConnectionClosedErrorOptions = {}) {
    const code = options.code ?? 1006;
    const meaning = options.inferred === true ? undefined : closeCodeMeanings[code];
    const explained = meaning !== undefined && message.includes(`(${code}`) ? `${message}: ${meaning}` : message;
    super(explained, { ...options, retryable: options.retryable ?? true });
    this.code = code;
    this.reason = options.reason ?? '';
    this.inferred = options.inferred ?? false;
  }
}

/**
 * Malformed input or output: a frame that is not JSON or not JSON-RPC 2.0, a response
 * nobody waits for, params that cannot be serialised. Reported on the peer's `errors$`,
 * or as the error of the call it concerns.
 */
export class ProtocolError extends RpcError {
  /** Always `'ProtocolError'`, also after bundling. */
  static override readonly name = 'ProtocolError';
  /** Always `'ProtocolError'`. */
  override readonly name = 'ProtocolError';
}

/**
 * A handler failed with something other than a `JsonRpcError`. The caller was answered
 * -32603 (Internal error, no details); this error, on `errors$`, keeps the original in `cause`.
 */
export class HandlerError extends RpcError {
  /** Always `'HandlerError'`, also after bundling. */
  static override readonly name = 'HandlerError';
  /** Always `'HandlerError'`. */
  override readonly name = 'HandlerError';
}

/** A call got no answer within its timeout. The call was forgotten (and a cancel sent, if configured). */
export class RequestTimeoutError extends RpcError {
  /** Always `'RequestTimeoutError'`, also after bundling. */
  static override readonly name = 'RequestTimeoutError';
  /** Always `'RequestTimeoutError'`. */
  override readonly name = 'RequestTimeoutError';
  /** The id the call was sent with. */
  declare readonly id: JsonRpcId;
  /** The method that was called. */
  declare readonly method: string;

  constructor(
    id: JsonRpcId,
    method: string,
    /** The timeout that elapsed, in milliseconds. */
    readonly timeout: number,
    /** Why the link was down all that time (the call was never sent), when it was: also in the message. */
    linkDown?: RpcError,
  ) {
    const why = linkDown === undefined ? '' : ` waiting for the link, down: ${linkDown.message}`;
    super(`${callName(method, id)} timed out after ${timeout} ms${why}`, { id, method, cause: linkDown });
  }
}

/**
 * Tells a failure worth sending the call again for (a link failure while the peer
 * reconnects, a full send buffer, an HTTP status that says the call was not run, even with
 * the server's JSON-RPC error) from a remote error or a local mistake. Shaped for
 * `retry({ delay })` and `filter`s.
 *
 * @example
 * ```ts
 * rpc.request$('eth_blockNumber').pipe(
 *   retry({ count: 3, delay: (error) => (isRetryable(error) ? timer(500) : throwError(() => error)) }),
 * );
 * ```
 */
export function isRetryable(error: unknown): boolean {
  return error instanceof RpcError && error.retryable;
}

/**
 * The message of a failure of any kind, for error messages: an Error's message, read without
 * `instanceof` (which fails for errors from another realm: a test VM, an iframe), or the value
 * itself as text. Total: a value that cannot be read or printed (a getter or `toString` that
 * throws, a revoked Proxy, a null-prototype object) is described by its type instead.
 */
export function messageOf(failure: unknown): string {
  try {
    // anything may be thrown: read `message` if it has one (a getter may throw: caught below)
    const message = (failure as { message?: unknown } | null | undefined)?.message;
    return typeof message === 'string' ? message : String(failure);
  } catch {
    return `a thrown ${typeof failure} that cannot be printed`;
  }
}
