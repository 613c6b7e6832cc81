import {
  callName,
  ConnectionClosedError,
  ProtocolError,
  RequestTimeoutError,
  type RpcError,
} from '../../protocol/errors';
import type { JsonRpcId, JsonRpcParams } from '../../protocol/messages';
import type { PeerConnection, Queued } from '../link/connection';
import type { OutgoingFrame } from '../link/encode';
import type { Deadline, Deadlines, Expiring } from '../collections/deadlines';
import { callFailure } from '../link/failures';
import { callError } from './call-error';
import type { CancelNotification, Codec } from '../options';
import type { Outbox } from '../link/outbox';
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
  /** Whether its calls are the peer's own (heartbeats), not the user's. */
  readonly own?: boolean;
  /** How messages become text: JSON when undefined. */
  readonly codec?: Codec;
}

/**
 * The error of a call or notification (`subject`) made on a peer that is closed for good: with
 * what closed it (read from `connection`), when it was not `close()`, as `cause` and in the
 * message, which the caller would not see otherwise (a transport that could not open at all:
 * no WebSocket on this runtime...).
 */
export function peerClosed(
  subject: string,
  connection?: PeerConnection,
  method?: string,
  id?: JsonRpcId,
): ConnectionClosedError {
  const cause = connection?.closeCause;
  const why = cause === undefined ? '' : `: ${cause.message}`;
  return new ConnectionClosedError(`${subject} not sent: the peer is closed${why}`, {
    code: 1000,
    retryable: false,
    cause,
    method,
    id,
  });
}

/**
 * One outgoing call from the moment it is made until it ends: it is at once the entry in
 * the pending map, in the queue for the link, in its slot and in its deadline list, so that
 * a call in flight costs one object rather than a closure for each of those roles. The
 * subclasses say where the outcome goes: a Promise or a subscriber.
 */
export abstract class OutgoingCall implements PendingCall, Queued, Expiring, Deadline {
  private frame: OutgoingFrame | undefined;
  // Its place in the deadline line of its timeout (see Deadlines.enter).
  at = 0;
  line: Deadline['line'];
  prev: Deadline | undefined;
  next: Deadline | undefined;
  private queued = false;
  private releaseSlot: (() => void) | undefined;
  private withdraw: (() => boolean | void) | undefined;
  /** The call has left the pending map (answered, or failed with the link): nothing to forget. */
  private taken = false;
  private ended = false;

  constructor(
    private readonly context: CallContext,
    readonly id: JsonRpcId,
    readonly method: string,
    frame: OutgoingFrame,
    private readonly timeout: number,
  ) {
    this.frame = frame;
  }

  /** What the deadline expires: the call itself. */
  get target(): Expiring {
    return this;
  }

  /** Whether this is one of the peer's own calls (a heartbeat). */
  get own(): boolean {
    return this.context.own === true;
  }

  /** Hands the outcome on. */
  protected abstract deliver(result: unknown): void;
  protected abstract raise(error: unknown): void;

  /** Sends the call once it has a slot and the link is open, and starts its deadline. */
  start(): void {
    const slots = this.context.slots;
    if (slots === undefined) this.go();
    else {
      const release = slots.acquire(() => this.go());
      // A call that failed inside `acquire` has ended already: give the slot back now.
      if (this.ended) release();
      else this.releaseSlot = release;
    }
    const timeout = this.timeout;
    if (!this.ended && timeout > 0 && timeout < Infinity) this.context.deadlines.enter(timeout, this);
  }

  /** The answer came (the dispatcher took the call out of the pending map). */
  resolve(result: unknown): void {
    this.taken = true;
    this.deliver(result);
    this.end();
  }

  /** The call failed after leaving the pending map: an error answer, or the link failed. */
  reject(error: unknown): void {
    this.taken = true;
    this.raise(callError(error, this.id, this.method));
    this.end();
  }

  /** The deadline passed: while waiting for a link that is down, with why it is. */
  expire(): void {
    const down = this.queued ? this.context.connection.downCause : undefined;
    this.raise(new RequestTimeoutError(this.id, this.method, this.timeout, down));
    this.end();
  }

  /** The link opened: write the frame. */
  send(): void {
    this.queued = false;
    if (this.ended) return;
    // The call keeps no reference to its frame once it is handed on: params may be large.
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- a call that has not ended and not been sent holds its frame
    const frame = this.frame!;
    this.frame = undefined;
    this.context.pending.add(this.id, this);
    try {
      this.withdraw = this.context.outbox.send(frame, this.id, (error) => this.frameEnded(error));
    } catch (error) {
      this.frameEnded(error);
    }
  }

  /** The link closed for good before the call could be sent. */
  fail(linkError: RpcError): void {
    this.queued = false;
    this.raise(callFailure(this.id, this.method, linkError, false));
    this.end();
  }

  /**
   * Ends the call, once: stops its deadline, leaves the queue and the slot, and forgets the
   * id if it still waits (an unsubscribe or a timeout), telling the other side if the peer
   * sends cancel notifications.
   */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    const { context } = this;
    context.deadlines.remove(this);
    if (this.queued) context.connection.dequeue(this);
    this.releaseSlot?.();
    this.frame = this.releaseSlot = undefined;
    if (this.taken || !context.pending.abandon(this.id, this)) return;
    // A call taken back out of a batch not yet written was never sent: nothing to cancel.
    if (this.withdraw?.() === true) return;
    if (context.cancel !== undefined && context.connection.isOpen) {
      context.notify(context.cancel.method, context.cancel.params(this.id));
    }
  }

  private go(): void {
    const { connection } = this.context;
    // A call that waited for a slot may find the peer closed meanwhile.
    if (connection.isClosed) {
      this.raise(peerClosed(callName(this.method, this.id), connection, this.method, this.id));
      return this.end();
    }
    if (connection.isOpen) return this.send();
    this.queued = true;
    connection.enqueue(this);
  }

  /** The frame failed, or its exchange ended without an answer (HTTP): fail the call if it still waits. */
  private frameEnded(error?: unknown): void {
    if (!this.context.pending.abandon(this.id, this)) return;
    this.taken = true;
    const { id, method } = this;
    this.raise(
      error === undefined
        ? new ProtocolError(`${callName(method, id)} got no answer in the response to it`, { id, method })
        : callError(error, id, method, true),
    );
    this.end();
  }
}
