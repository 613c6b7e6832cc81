import { ErrorCodes } from '../../protocol/error-codes';
import { hasPlainPrototype, isJsonRpcId } from '../../protocol/guards';
import type { JsonRpcId, JsonRpcResponse } from '../../protocol/messages';

/**
 * Quirks of real servers that the peer may accept instead of reporting them as malformed.
 * Each is off by default: strict JSON-RPC 2.0 catches bugs on both sides.
 */
export interface LenientOptions {
  /**
   * A response with neither `result` nor `error` answers `null` (servers that leave out the
   * result of a method that returns nothing).
   * @default false
   */
  readonly missingResult?: boolean;
  /**
   * An error whose `code` is not an integer (`1.5`, `"404"`) is passed on as a `JsonRpcError`,
   * its code read as a number (-32603 when it is not one).
   * @default false
   */
  readonly errorCodes?: boolean;
  /**
   * An answer with id `"1"` for a call sent with id `1` (or the reverse) goes to that call
   * (servers that turn ids into strings).
   * @default false
   */
  readonly idTypes?: boolean;
  /**
   * A frame that is not JSON (a process printing log lines on its stdout) is only reported,
   * not answered with a Parse error.
   * @default false
   */
  readonly textFrames?: boolean;
}

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
