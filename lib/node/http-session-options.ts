/**
 * Sessions over HTTP, as MCP's Streamable HTTP transport has them: the answer to a POST
 * that names no session opens one, handing out its id in a response header; later
 * requests send it back. A session has one peer (`setup` runs once for it, as for a
 * WebSocket client), a standing GET event stream for what belongs to no call, and ends
 * with a `DELETE`, after `idleTimeout`, or when the server closes.
 */
export interface HttpSessionOptions {
  /** The request and response header that carries the session id. @default 'Mcp-Session-Id' */
  readonly header?: string;
  /**
   * How long, in ms, a session may go with no request in flight before it ends (its peer
   * closes; its id then gets 404). 0 means never. A session whose standing stream is open
   * does not end then, as the server cannot tell whether a quiet stream is read; but once
   * it has had no request for this long, it gives its place to a new session when
   * `maxSessions` are open (the one idle longest first).
   * @default 300_000 (5 minutes)
   */
  readonly idleTimeout?: number;
  /**
   * How often, in ms, the standing stream writes a keepalive comment (`: `, which clients
   * skip), so that proxies do not close a quiet stream. It is also how long bytes may wait
   * unsent on a standing stream: at a keepalive that finds bytes waiting and none sent since
   * the last one, its client does not read, and the stream is cut (as it is when a push
   * finds `highWaterMark` bytes waiting); the client may open another. 0: no comments, and
   * no such check.
   * @default 15_000
   */
  readonly keepAlive?: number;
  /** The most sessions at once: a POST that would open one more is answered 503. @default 1_000 */
  readonly maxSessions?: number;
  /**
   * The method whose call opens a session (`'initialize'` for MCP): a POST without a session
   * id that holds no call of it is answered 400. @default undefined (any POST opens one)
   */
  readonly opener?: string;
}

/** The defaults of {@link HttpSessionOptions}. */
export const sessionDefaults = {
  /** {@link HttpSessionOptions.header} */
  header: 'Mcp-Session-Id',
  /** {@link HttpSessionOptions.idleTimeout} */
  idleTimeout: 300_000,
  /** {@link HttpSessionOptions.keepAlive} */
  keepAlive: 15_000,
  /** {@link HttpSessionOptions.maxSessions} */
  maxSessions: 1_000,
} as const;
