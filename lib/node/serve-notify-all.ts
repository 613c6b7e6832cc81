import { ConnectionClosedError, type RpcError } from '../protocol/errors';
import type { JsonRpcParams } from '../protocol/messages';
import { callMessage, checkNotification, encode } from '../peer/link/encode';
import type { Codec } from '../peer/options';
import type { Peer } from '../peer/peer';
import { PeerObject } from '../peer/peer-object';
import { sendingOnce } from './accepted-web-socket';

/**
 * The frame of a notification to broadcast, written with the peers' `codec`. A bad method or
 * params (or params the codec cannot write) throw a ProtocolError, as `notify()` does: the
 * caller's mistake, thrown before anyone is sent anything.
 */
export function notificationFrame(method: string, params: JsonRpcParams | undefined, codec?: Codec): string {
  checkNotification(method, params);
  return encode(callMessage(method, params), () => `Notification (${method})`, codec);
}

/**
 * Sends a notification, checked and written as `frame` (see {@link notificationFrame}), to each of `peers`.
 * A peer that closes meanwhile is skipped quietly; any other failure of one peer is reported
 * and the others are still reached.
 */
export function notifyEach(
  peers: ReadonlySet<Peer>,
  report: (error: RpcError) => void,
  frame: string,
  method: string,
  params?: JsonRpcParams,
): void {
  // A copy: a peer that closes while it is sent to leaves the set.
  const each = [...peers];
  // The frame written once for all: each peer sends the same text (and still traces it), and each
  // accepted WebSocket the same bytes.
  sendingOnce(frame, () => {
    for (const peer of each) {
      try {
        PeerObject.notifyEncoded(peer, frame, method, params);
      } catch (error) {
        // notify() throws only RpcErrors (ProtocolError, ConnectionClosedError)
        if (!(error instanceof ConnectionClosedError)) report(error as RpcError);
      }
    }
  });
}
