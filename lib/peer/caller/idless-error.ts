import { JsonRpcError, ProtocolError, type RpcError } from '../../protocol/errors';
import type { JsonRpcFailure } from '../../protocol/messages';
import type { PendingCalls } from './pending';
import type { Tracer } from '../trace';

/**
 * Settles an error answer without an id: it answers something the other side could not read
 * an id from, a notification it could not accept or, out of a batch answer, a whole batch it
 * refused (too large, or batches not supported). It fails a batch of ours only when nothing
 * else explains it (see `PendingCalls.takeRefusedBatch`); it is reported in any case.
 * `cause` is what the frame it came in carried (an HTTP status).
 */
export function settleIdlessError(
  error: JsonRpcFailure['error'],
  inBatch: boolean,
  cause: RpcError | undefined,
  pending: PendingCalls,
  tracer: Tracer,
): void {
  const remote = JsonRpcError.fromObject(error, cause);
  const refused = inBatch ? [] : pending.takeRefusedBatch(remote.message);
  const ids = refused.slice(0, 5).map(([id]) => JSON.stringify(id));
  if (refused.length > 5) ids.push('…');
  const taken =
    refused.length === 0 ? '' : `; taken as refusing our oldest unanswered batch: calls ${ids.join(', ')} fail with it`;
  tracer.report(
    new ProtocolError(`Error response without an id: ${remote.code} ${remote.message}${taken}`, { cause: remote }),
  );
  for (const [, call] of refused) call.reject(JsonRpcError.fromObject(error, cause));
}
