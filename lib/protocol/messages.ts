/**
 * The identifier of a request: a string or a number. `1` and `"1"` are different ids.
 */
export type JsonRpcId = string | number;

/**
 * Parameters of a call: an array for positional parameters, an object for named ones.
 * Typed as `object` so that values of interface types are accepted; the peer checks at
 * run time that params are an array or an object.
 */
export type JsonRpcParams = readonly unknown[] | object;

/** A call that expects an answer. `id: null` is legal on the wire but discouraged by the specification. */
export interface JsonRpcRequest {
  /** Always `'2.0'`. */
  readonly jsonrpc: '2.0';
  /** Matches the answer to this call. */
  readonly id: JsonRpcId | null;
  /** The method to call; names beginning with `rpc.` are reserved. */
  readonly method: string;
  /** The arguments, by position or by name; may be left out. */
  readonly params?: JsonRpcParams;
}

/** A call that expects no answer (it has no `id` member). */
export interface JsonRpcNotification {
  /** Always `'2.0'`. */
  readonly jsonrpc: '2.0';
  /** The method to call; names beginning with `rpc.` are reserved. */
  readonly method: string;
  /** The arguments, by position or by name; may be left out. */
  readonly params?: JsonRpcParams;
}

/** The `error` member of an error response. */
export interface JsonRpcErrorObject {
  /** What went wrong, as a number: see `ErrorCodes` for the ones the specification defines. */
  readonly code: number;
  /** A short description of the error. */
  readonly message: string;
  /** Anything more the server tells about the error. */
  readonly data?: unknown;
}

/** A successful answer. */
export interface JsonRpcSuccess<R = unknown> {
  /** Always `'2.0'`. */
  readonly jsonrpc: '2.0';
  /** The id of the call this answers. */
  readonly id: JsonRpcId;
  /** What the method returned. */
  readonly result: R;
}

/** A failed answer. `id` is null when the server could not read the request's id (e.g. a parse error). */
export interface JsonRpcFailure {
  /** Always `'2.0'`. */
  readonly jsonrpc: '2.0';
  /** The id of the call this answers, or null when it could not be read. */
  readonly id: JsonRpcId | null;
  /** Why the call failed. */
  readonly error: JsonRpcErrorObject;
}

/** Either kind of answer. */
export type JsonRpcResponse<R = unknown> = JsonRpcSuccess<R> | JsonRpcFailure;

/** Any single JSON-RPC 2.0 message. */
export type JsonRpcMessage = JsonRpcRequest | JsonRpcNotification | JsonRpcResponse;

/** Several messages sent as one JSON array frame. */
export type JsonRpcBatch = readonly JsonRpcMessage[];
