import { ConnectionClosedError, TransportError, type RpcError } from '../protocol/errors';
import type { JsonRpcId } from '../protocol/messages';

/**
 * The error one call gets when its link fails: the link's error restated with the call's
 * id and method, the link's error as `cause`.
 */
export function callFailure(id: JsonRpcId, method: string, linkError: RpcError, retryable: boolean): RpcError {
  const subject = `Request ${String(id)} (${method}) failed`;
  if (linkError instanceof ConnectionClosedError) {
    const reason = linkError.reason ? `: ${linkError.reason}` : '';
    return new ConnectionClosedError(`${subject}: connection closed (${linkError.code}${reason})`, {
      code: linkError.code,
      reason: linkError.reason,
      retryable,
      cause: linkError,
    });
  }
  const status = linkError instanceof TransportError ? linkError.status : undefined;
  return new TransportError(`${subject}: ${linkError.message}`, { retryable, cause: linkError, status });
}
