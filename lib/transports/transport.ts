import type { Observable } from 'rxjs';
import type { RpcError } from '../protocol/errors';

/**
 * One frame as it travels on a link: text for JSON, bytes for a binary frame
 * (which JSON-RPC peers are not meant to send; the peer reports it, see `binaryFrames`).
 */
export type Frame = string | Uint8Array;

/**
 * An incoming frame that came with a failure below JSON-RPC, which the errors it carries keep
 * as their `cause`: the body of an HTTP error status that is a JSON-RPC answer comes with the
 * `TransportError` that holds the status.
 */
export interface FrameWithCause {
  /** The frame, dispatched as any other. */
  readonly frame: Frame;
  /** The failure the remote errors in it keep as `cause`. */
  readonly cause: RpcError;
}

/**
 * What a transport knows about an open connection, for logs, handlers and `state$`.
 * Transports may add their own fields.
 */
export interface ConnectionInfo {
  /** The transport's kind, e.g. `'websocket'` or `'memory'`. */
  readonly transport: string;
  /** Where the link goes, when that has a name (a URL for WebSocket). */
  readonly url?: string;
  /** The negotiated subprotocol, if any. */
  readonly protocol?: string;
  /** The address of the other side, where the transport knows it (a server's accepted socket). */
  readonly remoteAddress?: string | undefined;
  /** The headers of the handshake, where there was one (a server's upgrade request). */
  readonly headers?: { readonly [name: string]: string | string[] | undefined };
  /**
   * False for a link that only carries answers to what this side sends (HTTP): the other
   * side can neither call nor notify this one.
   * @default true
   */
  readonly duplex?: boolean;
}

/**
 * Told once what became of a frame, by transports that know (HTTP): with an error when it
 * failed, or when the exchange is over and everything the other side will send in answer
 * has been delivered to `frames$` (or `framesWithCause$`): with nothing, or with the
 * failure that came with that answer, which the calls it left unanswered fail with.
 * Streaming transports never call it.
 */
export type FrameEnded = (error?: RpcError) => void;

/**
 * One open link. It lives from the moment `Transport.connect()` emits it until that
 * Observable errors (the link closed) or is unsubscribed (the peer closed it).
 */
export interface Connection {
  /** Facts about this link. */
  readonly info: ConnectionInfo;
  /**
   * Incoming frames, hot. Subscribe synchronously when the connection is emitted:
   * frames arriving with no subscriber are not kept. Completes when the link closes.
   */
  readonly frames$: Observable<Frame>;
  /**
   * Incoming frames that came with a failure below JSON-RPC (an HTTP error status whose body
   * is a JSON-RPC answer), dispatched as any other frame, their remote errors keeping the
   * failure as `cause`. Optional; hot, like `frames$`.
   */
  readonly framesWithCause$?: Observable<FrameWithCause>;
  /**
   * Problems below JSON-RPC that do not end the link (bytes a framing could not read),
   * which the peer reports on its `errors$`. Optional; hot, like `frames$`.
   */
  readonly problems$?: Observable<RpcError>;
  /**
   * Incoming messages handed over as objects, on a link that does not serialize (see
   * `Transport.serialize`): one message, or a batch's array of them. The peer checks each as
   * it checks parsed JSON. Optional; hot, like `frames$`.
   */
  readonly messages$?: Observable<object>;
  /**
   * Writes one frame. May throw (the peer then fails the call with `TransportError`);
   * a frame written while the link is closing may also be dropped silently, as
   * WebSockets do, since the close that follows fails every call still waiting.
   * Transports that learn the fate of each frame later report it to `ended`; transports
   * that can abandon a frame in flight return the function that does it (HTTP aborts the
   * request).
   */
  send(frame: string, ended?: FrameEnded): (() => void) | void;
  /**
   * Writes one message as an object (or a batch's array of them), not copied: what the peer
   * calls in place of `send()` on a transport with `serialize: false`, which must have it.
   * Otherwise as `send()`.
   */
  sendMessage?(message: object, ended?: FrameEnded): (() => void) | void;
  /** Closes the link with a close code and reason where the link has them. */
  close(code?: number, reason?: string): void;
}

/**
 * A way to open connections: the only thing a peer needs from a link. Write your own by
 * returning a cold Observable from `connect()` (see docs/architecture.md).
 *
 * `connect()` is cold: each subscription opens one new link. It emits the `Connection`
 * once, when the link is open, and never completes. It errors with `TransportError` when
 * the link cannot be opened, and with `ConnectionClosedError` (close code and reason)
 * when an open link closes, whoever closed it. Unsubscribing closes the link
 * (code 1000) and releases everything it held.
 */
export interface Transport {
  /** Opens a link per subscription: cold; emits the `Connection` once it is open, never completes. */
  connect(): Observable<Connection>;
  /**
   * False for a transport that carries messages as objects, not as text: the peer neither
   * writes JSON (nor uses its `codec`) for it, and hands each message, or a batch's array, to
   * `Connection.sendMessage()` as it is; what arrives on `messages$` is checked as parsed JSON
   * is. Both ends then share the very objects. `memoryPair({ serialize: false })` is one.
   * @default true
   */
  readonly serialize?: boolean;
}
