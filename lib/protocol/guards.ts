import type {
  JsonRpcErrorObject,
  JsonRpcFailure,
  JsonRpcId,
  JsonRpcNotification,
  JsonRpcParams,
  JsonRpcRequest,
  JsonRpcResponse,
  JsonRpcSuccess,
} from './messages';

type Fields = { readonly [key: string]: unknown };

/** True for a non-null, non-array object. */
export function isPlainObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True for an object made by `{}` or `Object.create(null)`: not an array, a Map, a Date or a class instance. */
export function hasPlainPrototype(value: unknown): value is Fields {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** True for a legal id: a string or a finite number. */
export function isJsonRpcId(value: unknown): value is JsonRpcId {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

/** True for legal params: an array or an object. */
export function isJsonRpcParams(value: unknown): value is JsonRpcParams {
  return typeof value === 'object' && value !== null;
}

function isCall(value: Fields): boolean {
  return (
    value.jsonrpc === '2.0' &&
    typeof value.method === 'string' &&
    (value.params === undefined || isJsonRpcParams(value.params))
  );
}

/** True for a request: a call with an `id` member (a legal id, or null). */
export function isRequest(value: unknown): value is JsonRpcRequest {
  return isPlainObject(value) && isCall(value) && 'id' in value && (value.id === null || isJsonRpcId(value.id));
}

/** True for a notification: a call without an `id` member. */
export function isNotification(value: unknown): value is JsonRpcNotification {
  return isPlainObject(value) && isCall(value) && !('id' in value);
}

/** True for a legal error object: an integer `code` and a string `message`. */
export function isErrorObject(value: unknown): value is JsonRpcErrorObject {
  return isPlainObject(value) && Number.isInteger(value.code) && typeof value.message === 'string';
}

/** True for a successful response with a legal id. */
export function isSuccess(value: unknown): value is JsonRpcSuccess {
  return (
    isPlainObject(value) && value.jsonrpc === '2.0' && isJsonRpcId(value.id) && 'result' in value && !('error' in value)
  );
}

/** True for an error response (its id may be null). */
export function isFailure(value: unknown): value is JsonRpcFailure {
  return (
    isPlainObject(value) &&
    value.jsonrpc === '2.0' &&
    (value.id === null || isJsonRpcId(value.id)) &&
    isErrorObject(value.error) &&
    !('result' in value)
  );
}

/** True for either kind of response. */
export function isResponse(value: unknown): value is JsonRpcResponse {
  return isSuccess(value) || isFailure(value);
}
