import type { SchedulerLike } from 'rxjs';
import { TransportError, type RpcError } from '../protocol/errors';
import type { JsonRpcParams } from '../protocol/messages';
import type { FrameEnded } from '../transports/transport';
import { AnswerEncoder, BatchAnswer } from './answerer/answer-encoder';
import type { Answer } from './answerer/answer-message';
import type { PeerConnection, Queued } from './link/connection';
import { callMessage, checkNotification, encodeFrame, type OutgoingFrame } from './link/encode';
import type { BatchingOptions, Codec } from './options';
import { batchingOptions, Outbox } from './link/outbox';
import type { PendingCalls } from './caller/pending';
import { peerClosed } from './caller/call';
import type { Tracer } from './trace';

/** What the sending side needs. */
export interface OutgoingSetup {
  readonly connection: PeerConnection;
  readonly tracer: Tracer;
  readonly pending: PendingCalls;
  readonly scheduler: SchedulerLike;
  readonly batching: boolean | BatchingOptions | undefined;
  /** How many notifications wait for the link at most. */
  readonly notificationQueue: number;
  /** The largest answer frame, in UTF-8 bytes. */
  readonly maxAnswerSize: number;
  /** The most bytes batch answers waiting for a member may hold, all batches together. */
  readonly maxPendingAnswerBytes: number;
  /** How messages become text: JSON when undefined. */
  readonly codec: Codec | undefined;
}

/** The sending side of a peer: the outbox for calls, notifications, and answers. */
export interface Outgoing {
  readonly outbox: Outbox;
  /** Sends a notification now, or when the link opens (bounded queue); throws for bad input or a closed peer. */
  readonly notify: (method: string, params?: JsonRpcParams) => void;
  /** `notify` for a frame encoded already (checked and written once for many peers); throws for a closed peer. */
  readonly notifyEncoded: (frame: OutgoingFrame, method: string) => void;
  /** Sends an answer, or a batch's, on the link of `generation`, if it is still the one open. */
  readonly reply: (answer: Answer | BatchAnswer, generation: number) => void;
  /** Starts the answer to an incoming batch (see `reply`). */
  readonly batchAnswer: () => BatchAnswer;
}

/** Makes the sending side: every frame out is traced, and failures nobody waits for are reported. */
export function createOutgoing(setup: OutgoingSetup): Outgoing {
  const { connection, tracer, pending } = setup;
  // what reaches it is what the link and the encoder throw: RpcErrors
  const report = (error: unknown) => tracer.report(error as RpcError);
  const reportFailure: FrameEnded = (error) => error && report(error);

  const send = (frame: OutgoingFrame, ended?: FrameEnded) => {
    tracer.outgoing(frame);
    return connection.write(frame, ended);
  };
  const outbox = new Outbox(
    send,
    (ids) => pending.markBatch(ids),
    batchingOptions(setup.batching),
    setup.scheduler,
    () => pending.notificationSent(),
  );

  const sendNotification = (frame: OutgoingFrame) => {
    try {
      outbox.send(frame, undefined, reportFailure);
    } catch (error) {
      report(error);
    }
  };

  /** Notifications waiting for the link, oldest first, with how to take each out of the queue (made when first needed). */
  let queued: Set<Queued> | undefined;
  /** Sends a notification's frame, encoded already: at once, or when the link opens. */
  const notifyEncoded = (frame: OutgoingFrame, method: string): void => {
    if (connection.isClosed) throw peerClosed(`Notification (${method})`);
    if (connection.isOpen) return sendNotification(frame);
    const waiting = (queued ??= new Set<Queued>());
    if (waiting.size >= setup.notificationQueue) {
      const oldest = waiting.values().next().value;
      if (oldest === undefined) return report(new TransportError(`Notification (${method}) dropped: the link is down`));
      connection.dequeue(oldest);
      waiting.delete(oldest);
      report(new TransportError(`A queued notification was dropped: more than ${setup.notificationQueue} wait`));
    }
    const entry: Queued = {
      send: () => {
        waiting.delete(entry);
        sendNotification(frame);
      },
      fail: () => waiting.delete(entry),
    };
    waiting.add(entry);
    connection.enqueue(entry);
  };
  const notify = (method: string, params?: JsonRpcParams): void => {
    checkNotification(method, params);
    if (connection.isClosed) throw peerClosed(`Notification (${method})`);
    notifyEncoded(
      encodeFrame(callMessage(method, params), () => `Notification (${method})`, setup.codec),
      method,
    );
  };

  const encoder = new AnswerEncoder(
    setup.maxAnswerSize,
    setup.maxPendingAnswerBytes,
    report,
    () => connection.generation,
    setup.codec,
  );

  const reply = (answer: Answer | BatchAnswer, generation: number) => {
    // A batch's frame is made first in any case: that gives back what it held.
    const batchFrame = answer instanceof BatchAnswer ? answer.frame() : undefined;
    // An answer owed on a link that has since dropped has no one to go to.
    if (!connection.isOpen || connection.generation !== generation) return;
    try {
      send(batchFrame ?? encoder.single(answer as Answer));
    } catch (error) {
      report(error);
    }
  };

  return { outbox, notify, notifyEncoded, reply, batchAnswer: () => encoder.batch() };
}
