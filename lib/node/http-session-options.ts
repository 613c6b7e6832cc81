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
   * How long, in ms, a session may go with no request in flight and no standing stream
   * open before it ends (its peer closes; its id then gets 404). 0 means never.
   * @default 300_000 (5 minutes)
   */
  readonly idleTimeout?: number;
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
  /** {@link HttpSessionOptions.maxSessions} */
  maxSessions: 1_000,
} as const;
