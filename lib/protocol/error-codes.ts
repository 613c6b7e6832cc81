/**
 * The error codes defined by the JSON-RPC 2.0 specification.
 * Codes from -32000 to -32099 are reserved for implementation-defined server errors.
 */
export const ErrorCodes = {
  /** Invalid JSON was received. */
  ParseError: -32700,
  /** The JSON sent is not a valid request object. */
  InvalidRequest: -32600,
  /** The method does not exist or is not available. */
  MethodNotFound: -32601,
  /** Invalid method parameters. */
  InvalidParams: -32602,
  /** Internal JSON-RPC error (also what a handler's unexpected exception becomes). */
  InternalError: -32603,
} as const;

/** One of the specification's error codes. */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** The standard message for each specification code. */
export const errorMessages: { readonly [code: number]: string } = {
  [ErrorCodes.ParseError]: 'Parse error',
  [ErrorCodes.InvalidRequest]: 'Invalid Request',
  [ErrorCodes.MethodNotFound]: 'Method not found',
  [ErrorCodes.InvalidParams]: 'Invalid params',
  [ErrorCodes.InternalError]: 'Internal error',
};

/**
 * Codes rx-jsonrpc uses in the range the specification leaves to implementations
 * (-32000 to -32099).
 */
export const ServerErrorCodes = {
  /** The handler did not answer within the peer's `handlerTimeout`. */
  HandlerTimeout: -32001,
  /**
   * A documented limit was reached: too many calls in progress on this connection, or an
   * answer larger than `maxAnswerSize`. The same code Ethereum nodes use for "limit exceeded".
   */
  LimitExceeded: -32005,
} as const;

/**
 * What the standard WebSocket close codes a user meets mean (RFC 6455, 7.4.1), for error
 * messages; 1000, the normal close, needs no word. Kept short (it is in every browser bundle):
 * the codes a server or a network gives, not those of a broken client (1002, 1003, 1007).
 */
export const closeCodeMeanings: { readonly [code: number]: string } = {
  1001: 'going away',
  1006: 'no close frame: the network dropped or the other side died',
  1008: 'policy violation',
  1009: 'message too big',
  1011: 'internal error',
  1012: 'service restart',
  1013: 'try again later',
};
