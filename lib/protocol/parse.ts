import { ProtocolError } from './errors';
import { isErrorObject, isJsonRpcId, isJsonRpcParams, isPlainObject } from './guards';

/** What a decoded message is, decided by its shape alone. */
export type MessageKind = 'request' | 'notification' | 'response' | 'invalid';

const previewLength = 120;

/** A short, single-line excerpt of a frame for error messages. */
export function preview(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > previewLength ? `${flat.slice(0, previewLength)}…` : flat;
}

/** A short excerpt of a decoded value; never throws, even for nesting too deep to serialise. */
export function previewValue(value: unknown): string {
  try {
    // JSON.stringify gives undefined for undefined, functions and symbols, which its type does not say.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
    return preview(JSON.stringify(value) ?? String(value));
  } catch {
    return '(too deeply nested to show)';
  }
}

/**
 * Decodes one text frame into a JSON value: an object for a single message, an array for
 * a batch. Throws `ProtocolError` (with what `parse` threw, the `SyntaxError` of
 * `JSON.parse` by default, as `cause`) for text it cannot read.
 */
export function decodeFrame(text: string, parse: (text: string) => unknown = JSON.parse): unknown {
  try {
    return parse(text);
  } catch (cause) {
    throw new ProtocolError(`Invalid JSON in frame: ${preview(text)}`, { cause });
  }
}

/**
 * Classifies one decoded message by its shape. Cheap enough for the hot path: a response
 * is checked first, as it is what a client receives most.
 */
export function classify(value: unknown): MessageKind {
  if (!isPlainObject(value) || value.jsonrpc !== '2.0') return 'invalid';
  // What isRequest, isSuccess and isFailure check, each member read once.
  const id = value.id;
  if (typeof value.method === 'string') {
    if (value.params !== undefined && !isJsonRpcParams(value.params)) return 'invalid';
    if (!('id' in value)) return 'notification';
    return id === null || isJsonRpcId(id) ? 'request' : 'invalid';
  }
  if ('result' in value) return !('error' in value) && isJsonRpcId(id) ? 'response' : 'invalid';
  return (id === null || isJsonRpcId(id)) && isErrorObject(value.error) ? 'response' : 'invalid';
}

/** Whether an invalid message was meant as a call (so it deserves an Invalid Request answer). */
export function looksLikeCall(value: unknown): boolean {
  return isPlainObject(value) && 'method' in value;
}

/** Whether an invalid message was meant as a response (it has `result`, `error`, or an `id` without `method`). */
export function looksLikeResponse(value: unknown): boolean {
  return isPlainObject(value) && !('method' in value) && ('result' in value || 'error' in value || 'id' in value);
}

/**
 * Whether a message is not JSON-RPC at all: an object with none of `jsonrpc`, `method`,
 * `result` and `error` (an `{"event": ...}` a server pushes beside its JSON-RPC).
 */
export function isForeign(value: unknown): boolean {
  return isPlainObject(value) && !('jsonrpc' in value || 'method' in value || 'result' in value || 'error' in value);
}

/** The id of a message if it carries a legal one, else null. */
export function idOf(value: unknown): string | number | null {
  return isPlainObject(value) && isJsonRpcId(value.id) ? value.id : null;
}

/** Says, in words, why a message is not valid JSON-RPC 2.0 (for error messages; not the hot path). */
export function describeInvalid(value: unknown): string {
  if (!isPlainObject(value))
    return `expected a JSON-RPC message object, got ${Array.isArray(value) ? 'an array' : typeOf(value)}`;
  if (value.jsonrpc !== '2.0') return `"jsonrpc" must be "2.0", got ${typeOf(value.jsonrpc)}`;
  if ('method' in value) {
    if (typeof value.method !== 'string') return `"method" must be a string, got ${typeOf(value.method)}`;
    if (value.params !== undefined && !isJsonRpcParams(value.params))
      return `"params" must be an array or an object, got ${typeOf(value.params)}`;
    return `"id" must be a string, a number or null, got ${typeOf(value.id)}`;
  }
  if (!('id' in value)) return 'a message needs "method" (a call) or "id" (a response)';
  if (value.id !== null && !isJsonRpcId(value.id)) return `"id" must be a string or a number, got ${typeOf(value.id)}`;
  if ('result' in value && 'error' in value) return 'a response must not have both "result" and "error"';
  if ('error' in value && !isErrorObject(value.error))
    return '"error" must be an object with an integer "code" and a string "message"';
  if (value.id === null && 'result' in value) return 'a successful response needs a non-null "id"';
  return 'a response needs "result" or "error"';
}

function typeOf(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  // Objects returned above: what is left is a primitive or a function.
  const primitive = value as string | number | boolean | bigint | symbol;
  return `${typeof value} ${typeof value === 'string' ? JSON.stringify(value) : String(primitive)}`;
}
