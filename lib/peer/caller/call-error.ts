import { JsonRpcError, ProtocolError, RpcError } from '../../protocol/errors';
import type { JsonRpcId } from '../../protocol/messages';
import { callFailure } from '../link/failures';

/**
 * `error` as the error of call `id` (`method`), which it fails, with that `id` and `method`:
 * - an error answer (a `JsonRpcError` of no call) is restated to name the call;
 * - a failure of its frame (`frame`: a write, or an HTTP exchange, which the calls of a batch
 *   share) is restated as `callFailure` words a link's, the original as `cause`;
 * - any other error was made for this call and names it already: it only gets the two.
 * Error paths only: a call answered with a result never comes here.
 */
export function callError(error: unknown, id: JsonRpcId, method: string, frame = false): unknown {
  if (!(error instanceof RpcError) || error.method !== undefined) return error;
  if (error instanceof JsonRpcError) {
    const { cause, retryable } = error;
    return new JsonRpcError(error.code, error.remoteMessage, error.data, { cause, retryable, id, method });
  }
  // A ProtocolError of the frame is no link failure: it keeps its class (callFailure would make it a TransportError).
  if (frame && !(error instanceof ProtocolError)) return callFailure(id, method, error, error.retryable);
  return Object.assign(error, { id, method });
}
