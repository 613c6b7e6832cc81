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
  readonly jsonrpc: '2.0';
  readonly id: JsonRpcId | null;
  readonly method: string;
  readonly params?: JsonRpcParams;
}

/** A call that expects no answer (it has no `id` member). */
export interface JsonRpcNotification {
  readonly jsonrpc: '2.0';
  readonly method: string;
  readonly params?: JsonRpcParams;
}

/** The `error` member of an error response. */
export interface JsonRpcErrorObject {
  readonly code: number;
  readonly message: string;
  readonly data?: unknown;
}

/** A successful answer. */
export interface JsonRpcSuccess<R = unknown> {
  readonly jsonrpc: '2.0';
  readonly id: JsonRpcId;
  readonly result: R;
}

/** A failed answer. `id` is null when the server could not read the request's id (e.g. a parse error). */
export interface JsonRpcFailure {
  readonly jsonrpc: '2.0';
  readonly id: JsonRpcId | null;
  readonly error: JsonRpcErrorObject;
}

/** Either kind of answer. */
export type JsonRpcResponse<R = unknown> = JsonRpcSuccess<R> | JsonRpcFailure;

/** Any single JSON-RPC 2.0 message. */
export type JsonRpcMessage = JsonRpcRequest | JsonRpcNotification | JsonRpcResponse;

/** Several messages sent as one JSON array frame. */
export type JsonRpcBatch = readonly JsonRpcMessage[];
