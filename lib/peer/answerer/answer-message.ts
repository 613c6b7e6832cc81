import { ErrorCodes } from '../../protocol/error-codes';
import type { JsonRpcErrorObject, JsonRpcId } from '../../protocol/messages';

/** An answer on its way out. Its id may be null when the request's was. */
export type Answer =
  | { readonly jsonrpc: '2.0'; readonly id: JsonRpcId | null; readonly result: unknown }
  | { readonly jsonrpc: '2.0'; readonly id: JsonRpcId | null; readonly error: JsonRpcErrorObject };

/** Builds an error answer. */
export function errorAnswer(id: JsonRpcId | null, code: number, message: string, data?: unknown): Answer {
  const error = data === undefined ? { code, message } : { code, message, data };
  return { jsonrpc: '2.0', id, error };
}

/** The answer to something that is not a valid request (-32600). */
export function invalidRequest(id: JsonRpcId | null): Answer {
  return errorAnswer(id, ErrorCodes.InvalidRequest, 'Invalid Request');
}
