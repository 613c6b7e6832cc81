import { ConnectionClosedError, ProtocolError, type RpcError } from '../protocol/errors';
import type { JsonRpcParams } from '../protocol/messages';
import { callMessage, checkCall, encode } from '../peer/link/encode';
import type { Codec } from '../peer/options';
import type { Peer } from '../peer/peer';

/**
 * Sends a notification to each of `peers`. A bad method or params (or params the codec cannot
 * write) throw a ProtocolError before anyone is sent anything, as `notify()` does: that is
 * the caller's mistake. A peer that closes meanwhile is skipped quietly; any other failure
 * of one peer is reported and the others are still reached. Returns the notification's frame.
 */
export function notifyAll(
  peers: ReadonlySet<Peer>,
  report: (error: RpcError) => void,
  method: string,
  params?: JsonRpcParams,
  /** The peers' codec (`peer.codec` of the options): the params must be what it can write. */
  codec?: Codec,
): string {
  const problem = checkCall(method, params);
  if (problem !== undefined)
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-conversion -- JavaScript callers may pass anything
    throw new ProtocolError(`Notification (${String(method)}) not sent: ${problem}`);
  const frame = encode(callMessage(method, params), () => `Notification (${method})`, codec);
  // A copy: a peer that closes while it is sent to leaves the set.
  for (const peer of [...peers]) {
    try {
      peer.notify(method, params);
    } catch (error) {
      // notify() throws only RpcErrors (ProtocolError, ConnectionClosedError)
      if (!(error instanceof ConnectionClosedError)) report(error as RpcError);
    }
  }
  return frame;
}
