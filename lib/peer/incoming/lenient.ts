import { ErrorCodes } from '../../protocol/error-codes';
import { hasPlainPrototype, isJsonRpcId } from '../../protocol/guards';
import type { JsonRpcId, JsonRpcResponse } from '../../protocol/messages';
import type { LenientOptions } from '../options';

/** Reads a malformed response as the response it was meant to be, where `lenient` allows; else undefined. */
export function salvageResponse(value: unknown, lenient: LenientOptions): JsonRpcResponse | undefined {
  if (!hasPlainPrototype(value) || 'method' in value || !isJsonRpcId(value.id)) return undefined;
  const id = value.id;
  if ('error' in value) {
    const error = value.error;
    if (!lenient.errorCodes || !hasPlainPrototype(error) || typeof error.message !== 'string') return undefined;
    const code = Number(error.code);
    const data = error.data;
    return {
      jsonrpc: '2.0',
      id,
      error: { code: Number.isFinite(code) ? code : ErrorCodes.InternalError, message: error.message, data },
    };
  }
  return lenient.missingResult && !('result' in value) ? { jsonrpc: '2.0', id, result: null } : undefined;
}

/** The same id in the other type (`"1"` for `1`, `1` for `"1"`), if it has one. */
export function otherIdType(id: JsonRpcId): JsonRpcId | undefined {
  if (typeof id === 'number') return String(id);
  return /^-?\d+$/.test(id) ? Number(id) : undefined;
}
