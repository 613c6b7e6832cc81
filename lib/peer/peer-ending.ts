import { firstValueFrom, from, race, timer, type SchedulerLike } from 'rxjs';
import { ConnectionClosedError, type RpcError } from '../protocol/errors';
import type { AnsweringOnDemand } from './answerer/answering-on-demand';
import type { PendingCalls } from './caller/pending';
import type { Slots } from './caller/slots';
import type { IncomingStream } from './incoming/incoming';
import type { NotificationRouter } from './incoming/notifications';
import type { PeerConnection } from './link/connection';
import { callFailure } from './link/failures';
import type { Outbox } from './link/outbox';
import type { CloseOptions } from './options';
import type { PeerHooks } from './peer-hooks';
import type { Tracer } from './trace';

/** The parts of a peer its end reaches (`PeerParts`). */
export interface EndingParts {
  readonly connection: PeerConnection;
  readonly hooks: PeerHooks;
  readonly outboxIfAny: Outbox | undefined;
  readonly pendingIfAny: PendingCalls | undefined;
  readonly slots: Slots | undefined;
  // Those it never made are not made to be ended.
  readonly answeringIfAny: AnsweringOnDemand | undefined;
  readonly notificationsIfAny: NotificationRouter | undefined;
  readonly incomingIfAny: IncomingStream | undefined;
  readonly tracer: Tracer;
  readonly scheduler: SchedulerLike;
}

/** `Peer.close`: with `drain`, first waits (that long at most) for the calls being answered. */
export async function closePeer(
  parts: EndingParts,
  { code = 1000, reason = '', drain = 0 }: CloseOptions = {},
): Promise<void> {
  if (drain > 0 && !parts.connection.isClosed) {
    // Awaited even with nothing being answered: with `drain`, close() ends the peer after it returns, always.
    const idle = parts.answeringIfAny?.idle() ?? Promise.resolve();
    await firstValueFrom(race(from(idle), timer(drain, parts.scheduler)));
  }
  let failure: ConnectionClosedError | undefined;
  const closedByUs = () =>
    (failure ??= new ConnectionClosedError(`Connection closed by this peer (${code}${reason ? `: ${reason}` : ''})`, {
      code,
      reason,
      retryable: false,
    }));
  shutDown(parts, closedByUs, undefined, code, reason);
}

/** A link that ended by itself: what was in flight on it fails now; the peer closes unless it reconnects. */
export function peerDropped(parts: EndingParts, error: RpcError, reconnecting: boolean): void {
  if (!reconnecting) return shutDown(parts, () => error, error);
  parts.outboxIfAny?.discard();
  parts.pendingIfAny?.failAll((id, method) => callFailure(id, method, error, true));
  parts.answeringIfAny?.abandon();
}

/**
 * Ends everything once: the error `failure` makes for the waiting calls (made only when
 * some wait: an Error's stack costs, and a server closes a peer per connection and per
 * POST), `cause` for `state$` when not deliberate.
 */
function shutDown(parts: EndingParts, failure: () => RpcError, cause?: RpcError, code?: number, reason?: string): void {
  if (parts.connection.isClosed) return;
  parts.hooks.onClosed?.();
  parts.connection.close(failure, cause, code, reason);
  parts.outboxIfAny?.discard();
  parts.pendingIfAny?.failAll((id, method) => callFailure(id, method, failure(), false));
  parts.slots?.releaseAll();
  parts.answeringIfAny?.stop();
  parts.notificationsIfAny?.complete();
  parts.incomingIfAny?.complete();
  parts.tracer.complete();
}
