import type { SchedulerLike } from 'rxjs';
import { TransportError, type RpcError } from '../protocol/errors';
import type { JsonRpcId, JsonRpcParams } from '../protocol/messages';
import type { FrameEnded } from '../transports/transport';
import { AnswerEncoder, BatchAnswer } from './answerer/answer-encoder';
import type { Answer } from './answerer/answer-message';
import type { PeerConnection, Queued } from './link/connection';
import { callMessage, checkNotification, encodeFrame, type OutgoingFrame } from './link/encode';
import type { Batching, Codec } from './options';
import { Outbox, type OutboxLink } from './link/outbox';
import type { PendingCalls } from './caller/pending';
import { peerClosed } from './caller/call';
import type { Tracer } from './trace';

/** What the sending side needs. */
export interface OutgoingSetup {
  readonly connection: PeerConnection;
  readonly tracer: Tracer;
  readonly pending: PendingCalls;
  /** Its pending calls, if it ever made one. */
  readonly pendingIfAny: PendingCalls | undefined;
  readonly scheduler: SchedulerLike;
  /** Automatic batching, checked (see `batchingOf`). */
  readonly batching: Batching | undefined;
  /** How many notifications wait for the link at most. */
  readonly notificationQueue: number;
  /** The largest answer frame, in UTF-8 bytes. */
  readonly maxAnswerSize: number;
  /** The most bytes batch answers waiting for a member may hold, all batches together. */
  readonly maxPendingAnswerBytes: number;
  /** How messages become text: JSON when undefined. */
  readonly codec: Codec | undefined;
}

/**
 * The sending side of a peer: the outbox for calls, notifications, and answers. Every frame
 * out is traced, and failures nobody waits for are reported.
 *
 * A class, not closures: a server holds one per connection, and its methods are shared.
 */
export class Outgoing implements OutboxLink {
  readonly outbox: Outbox;
  // Made when first needed, as the two below: a peer that never answers, or never notifies, holds none.
  private answerEncoder: AnswerEncoder | undefined;
  /** Notifications waiting for the link, oldest first. */
  private queued: Set<Queued> | undefined;
  /** Reports what became of a notification's frame, where the transport knows. */
  private notificationEnded: FrameEnded | undefined;
  /**
   * Notifications sent on the link of `unreadGeneration` before the peer made its pending table: a
   * server's peer that only hears broadcasts makes none, and the table made later starts from them.
   */
  // Declared, not defined: set at the first such notification (defined, the two cost each peer about 50 bytes).
  declare private unreadBefore: number | undefined;
  declare private unreadGeneration: number | undefined;

  constructor(private readonly setup: OutgoingSetup) {
    this.outbox = new Outbox(this, setup.batching, setup.scheduler);
  }

  /** The link's generation now. */
  get generation(): number {
    return this.setup.connection.generation;
  }

  /** Reports a failure nobody waits for: what reaches it is what the link and the encoder throw (RpcErrors). */
  report(error: unknown): void {
    this.setup.tracer.report(error as RpcError);
  }

  /** Traces and writes one frame now. */
  write(frame: OutgoingFrame, ended?: FrameEnded): (() => void) | void {
    this.setup.tracer.outgoing(frame);
    return this.setup.connection.write(frame, ended);
  }

  markBatch(ids: readonly JsonRpcId[]): void {
    this.setup.pending.markBatch(ids);
  }

  notificationSent(): void {
    const pending = this.setup.pendingIfAny;
    if (pending !== undefined) return pending.notificationSent();
    this.unreadBefore = this.sentBeforeCalls() + 1;
    this.unreadGeneration = this.setup.connection.generation;
  }

  /** The notifications sent on this link before the pending table was made (none while it is down: a new link starts from none). */
  sentBeforeCalls(): number {
    const { connection } = this.setup;
    return connection.isOpen && this.unreadGeneration === connection.generation ? (this.unreadBefore ?? 0) : 0;
  }

  /** Sends a notification now, or when the link opens (bounded queue); throws for bad input or a closed peer. */
  notify(method: string, params?: JsonRpcParams): void {
    checkNotification(method, params);
    if (this.setup.connection.isClosed) throw peerClosed(`Notification (${method})`, this.setup.connection, method);
    const frame = encodeFrame(callMessage(method, params), () => `Notification (${method})`, this.setup.codec);
    this.notifyEncoded(frame, method);
  }

  /** `notify` for a frame encoded already (checked and written once for many peers); throws for a closed peer. */
  notifyEncoded(frame: OutgoingFrame, method: string): void {
    const { connection, notificationQueue } = this.setup;
    if (connection.isClosed) throw peerClosed(`Notification (${method})`, connection, method);
    if (connection.isOpen) return this.sendNotification(frame);
    const waiting = (this.queued ??= new Set<Queued>());
    if (waiting.size >= notificationQueue) {
      const oldest = waiting.values().next().value;
      if (oldest === undefined)
        return this.report(new TransportError(`Notification (${method}) dropped: the link is down`));
      connection.dequeue(oldest);
      waiting.delete(oldest);
      this.report(new TransportError(`A queued notification was dropped: more than ${notificationQueue} wait`));
    }
    const entry: Queued = {
      send: () => {
        waiting.delete(entry);
        this.sendNotification(frame);
      },
      fail: () => waiting.delete(entry),
    };
    waiting.add(entry);
    connection.enqueue(entry);
  }

  /** Sends an answer, or a batch's, on the link of `generation`, if it is still the one open. */
  reply(answer: Answer | BatchAnswer, generation: number): void {
    // A batch's frame is made first in any case: that gives back what it held.
    const batchFrame = answer instanceof BatchAnswer ? answer.frame() : undefined;
    const { connection } = this.setup;
    // An answer owed on a link that has since dropped has no one to go to.
    if (!connection.isOpen || connection.generation !== generation) return;
    try {
      this.write(batchFrame ?? this.encoder().single(answer as Answer));
    } catch (error) {
      this.report(error);
    }
  }

  /** Starts the answer to an incoming batch (see `reply`). */
  batchAnswer(): BatchAnswer {
    return this.encoder().batch();
  }

  private encoder(): AnswerEncoder {
    const { maxAnswerSize, maxPendingAnswerBytes, codec } = this.setup;
    return (this.answerEncoder ??= new AnswerEncoder(maxAnswerSize, maxPendingAnswerBytes, this, codec));
  }

  private sendNotification(frame: OutgoingFrame): void {
    try {
      this.outbox.send(frame, undefined, (this.notificationEnded ??= (error) => error && this.report(error)));
    } catch (error) {
      this.report(error);
    }
  }
}
