import { ConnectionClosedError, TransportError, type RpcError } from '../../protocol/errors';
import type { JsonRpcId } from '../../protocol/messages';

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
      inferred: linkError.inferred,
      id,
      method,
    });
  }
  const status = linkError instanceof TransportError ? linkError.status : undefined;
  return new TransportError(`${subject}: ${linkError.message}`, { retryable, cause: linkError, status, id, method });
}

/**
 * A byte stream or process that ended "normally" (an inferred 1000) while calls still waited
 * for their answers did not end cleanly for this side: a server killed in the middle of a
 * call has its TCP socket ended just as one that finished. Such a close is restated as 1006,
 * the original as `cause`. A close frame's 1000 (WebSocket) is the other side's word: kept.
 */
export function cutShort(linkError: RpcError, waiting: number): RpcError {
  if (waiting <= 0 || !(linkError instanceof ConnectionClosedError) || linkError.code !== 1000 || !linkError.inferred) {
    return linkError;
  }
  const calls = `${waiting} ${waiting === 1 ? 'call' : 'calls'} in flight`;
  return new ConnectionClosedError(`${linkError.message} with ${calls}`, {
    code: 1006,
    reason: `${linkError.reason || 'closed'} with ${calls}`,
    retryable: linkError.retryable,
    cause: linkError,
    inferred: true,
  });
}
