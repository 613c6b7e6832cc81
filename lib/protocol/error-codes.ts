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
