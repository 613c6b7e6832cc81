import { Observable, type Subscriber } from 'rxjs';
import { ConnectionClosedError, ProtocolError, RequestTimeoutError } from '../protocol/errors';
import type { JsonRpcId, JsonRpcParams } from '../protocol/messages';
import type { PeerConnection } from './connection';
import { callMessage, checkCall, encode } from './encode';
import { callFailure } from './failures';
import type { CancelNotification, RequestOptions } from './options';
import type { Deadlines } from './deadlines';
import type { Outbox } from './outbox';
import type { PendingCall, PendingCalls } from './pending';
import type { Slots } from './slots';

/** What a call needs from its peer. */
export interface CallContext {
  readonly connection: PeerConnection;
  readonly pending: PendingCalls;
  readonly timeout: number;
  /** The call timeouts, kept without a timer per call. */
  readonly deadlines: Deadlines;
  readonly cancel: CancelNotification | undefined;
  /** The limit on calls in flight, if there is one. */
  readonly slots: Slots | undefined;
  nextId(): JsonRpcId;
  /** Where outgoing messages go: written at once, or collected into a batch frame. */
  readonly outbox: Outbox;
  /** Sends a notification now or when the link opens; throws for bad params or a closed peer. */
  notify(method: string, params?: JsonRpcParams): void;
}

/** The error of a call made on a peer that is closed for good. */
export function peerClosed(subject: string): ConnectionClosedError {
  return new ConnectionClosedError(`${subject} not sent: the peer is closed`, { code: 1000, retryable: false });
}

/**
 * A call as a cold Observable: each subscription sends one request (once the link is open)
 * and emits its result then completes, or errors. Unsubscribing before the answer forgets
 * the id (and sends the cancel notification, if the peer has one).
 */
export function request$<R>(
  context: CallContext,
  method: string,
  params?: JsonRpcParams,
  options?: RequestOptions,
  /** Learns the id the call is sent with (for messages about it made elsewhere). */
  onId?: (id: JsonRpcId) => void,
): Observable<R> {
  return new Observable<R>((subscriber) => {
    const problem = checkCall(method, params);
    if (problem !== undefined)
      return subscriber.error(new ProtocolError(`Request (${String(method)}) not sent: ${problem}`));
    if (context.connection.isClosed) return subscriber.error(peerClosed(`Request (${method})`));

    const id = context.nextId();
    onId?.(id);
    // Built only when a message needs it: most calls never do.
    const subject = () => `Request ${String(id)} (${method})`;
    if (context.pending.has(id))
      return subscriber.error(new ProtocolError(`${subject()} not sent: the id is in flight`));
    let frame: string | undefined;
    try {
      frame = encode(callMessage(method, params, id), subject);
    } catch (error) {
      return subscriber.error(error);
    }

    const call: PendingCall = { method, subscriber: subscriber as Subscriber<unknown> };
    // The frame failed, or its exchange ended without an answer (HTTP): fail the call if it still waits.
    const ended = (error?: unknown) => {
      if (context.pending.abandon(id, call)) {
        subscriber.error(error ?? new ProtocolError(`${subject()} got no answer in the response to it`));
      }
    };
    let withdraw: (() => boolean | void) | undefined;
    const send = () => {
      // The call keeps no reference to its frame once it is handed on: params may be large.
      const sending = frame!;
      frame = undefined;
      context.pending.add(id, call);
      try {
        withdraw = context.outbox.send(sending, id, ended);
      } catch (error) {
        ended(error);
      }
    };
    let leaveQueue: (() => void) | undefined;
    const go = () => {
      // A call that waited for a slot may find the peer closed meanwhile.
      if (context.connection.isClosed) return subscriber.error(peerClosed(subject()));
      leaveQueue = context.connection.isOpen
        ? (send(), undefined)
        : context.connection.enqueue({
            send,
            fail: (linkError) => subscriber.error(callFailure(id, method, linkError, false)),
          });
    };
    const releaseSlot = context.slots?.acquire(go);
    if (releaseSlot === undefined) go();

    const timeout = options?.timeout ?? context.timeout;
    const cancelTimeout =
      timeout > 0 && timeout < Infinity
        ? context.deadlines.add(timeout, () => subscriber.error(new RequestTimeoutError(id, method, timeout)))
        : undefined;

    return () => {
      cancelTimeout?.();
      leaveQueue?.();
      releaseSlot?.();
      if (!context.pending.abandon(id, call)) return;
      // A call taken back out of a batch not yet written was never sent: nothing to cancel.
      if (withdraw?.() === true) return;
      if (context.cancel !== undefined && context.connection.isOpen) {
        context.notify(context.cancel.method, context.cancel.params(id));
      }
    };
  });
}
