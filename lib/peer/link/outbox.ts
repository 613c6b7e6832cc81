import type { SchedulerLike } from 'rxjs';
import type { RpcError } from '../../protocol/errors';
import type { JsonRpcId } from '../../protocol/messages';
import type { FrameEnded } from '../../transports/transport';
import type { Batching, BatchSchedule } from '../options';
import { areText, type OutgoingFrame } from './encode';

/** One outgoing message on its way to the link. */
export interface Outgoing {
  readonly frame: OutgoingFrame;
  /** The request's id; undefined for a notification. */
  readonly id?: JsonRpcId;
  /** Told what became of the frame carrying this message, where the transport knows. */
  readonly ended: FrameEnded | undefined;
}

/** What an outbox writes to, and tells. */
export interface OutboxLink {
  /** Writes one frame now (see `PeerConnection.write`). */
  write(frame: OutgoingFrame, ended?: FrameEnded): (() => void) | void;
  /** Learns the request ids each batch frame carried. */
  markBatch(ids: readonly JsonRpcId[]): void;
  /** Learns of each notification written as its own frame. */
  notificationSent(): void;
}

/**
 * The last step before the link: writes each message at once, or, while batching (always
 * with the `batching` option, when its schedule says, or inside an explicit `batch$`),
 * collects messages and writes them as one array frame, to its `link`.
 */
export class Outbox {
  private buffer: Outgoing[] | undefined;
  private holds = 0;
  private forceArray = false;
  /** When the batch goes, with the `batching` option: made at the first message collected. */
  private schedule: BatchSchedule | undefined;

  constructor(
    private readonly link: OutboxLink,
    private readonly batching: Batching | undefined,
    private readonly scheduler: SchedulerLike,
  ) {}

  /**
   * Sends a message now (a write failure is thrown to the caller), or adds it to the batch
   * being collected (a write failure then goes to `ended`). Returns, when there is one, the
   * function that withdraws the message: it takes a collected message back out of the batch
   * (returning true: it was never sent) or aborts a frame in flight where the transport can.
   */
  send(frame: OutgoingFrame, id?: JsonRpcId, ended?: FrameEnded): (() => boolean | void) | undefined {
    if (this.holds === 0 && this.batching === undefined) {
      const abandon = this.link.write(frame, ended) ?? undefined;
      if (id === undefined) this.link.notificationSent();
      return abandon;
    }
    const message: Outgoing = { frame, id, ended };
    const buffer = (this.buffer ??= []);
    buffer.push(message);
    if (this.holds === 0) {
      try {
        // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- without holds, a message is collected only with batching
        (this.schedule ??= this.batching!.schedule(() => this.flush(), this.scheduler)).added(buffer.length);
      } catch (error) {
        // A schedule of the user's that throws: its message fails with the error and is not sent later.
        const index = buffer.indexOf(message);
        if (index >= 0) buffer.splice(index, 1);
        throw error;
      }
    }
    return () => {
      const index = this.buffer === buffer ? buffer.indexOf(message) : -1;
      if (index >= 0) buffer.splice(index, 1);
      return index >= 0;
    };
  }

  /** The ids of the requests collected and not yet written. */
  heldIds(): ReadonlySet<JsonRpcId> {
    const ids = new Set<JsonRpcId>();
    for (const message of this.buffer ?? []) if (message.id !== undefined) ids.add(message.id);
    return ids;
  }

  /**
   * Drops what is collected and not yet written: the link it was meant for is gone, and the
   * calls in it have already failed (nothing is sent twice unless asked).
   */
  discard(): void {
    this.buffer = undefined;
    this.forceArray = false;
    this.schedule?.cancel();
  }

  /**
   * Collects everything sent until the returned release is called, then writes it as one
   * array frame (even a batch of one), for an explicit batch.
   */
  hold(): () => void {
    this.holds++;
    this.forceArray = true;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.holds === 0) this.flush();
    };
  }

  private flush(): void {
    if (this.holds > 0) return;
    this.schedule?.cancel();
    const messages = this.buffer ?? [];
    const asArray = this.forceArray;
    this.buffer = undefined;
    this.forceArray = false;
    if (messages.length === 0) return;
    // A lone message from automatic batching goes out plain: not every server takes batches.
    if (messages.length === 1 && !asArray) {
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- messages has exactly one member here
      if (this.writeOrFail(messages[0]!.frame, messages) && messages[0]!.id === undefined) this.link.notificationSent();
      return;
    }
    const ids = messages.flatMap((message) => (message.id === undefined ? [] : [message.id]));
    if (ids.length > 0) this.link.markBatch(ids);
    const frames = messages.map((message) => message.frame);
    this.writeOrFail(areText(frames) ? `[${frames.join(',')}]` : frames, messages);
  }

  /** Writes a frame, or fails its messages with what writing threw; returns whether it was written. */
  private writeOrFail(frame: OutgoingFrame, messages: readonly Outgoing[]): boolean {
    const ended: FrameEnded = (error) => {
      for (const message of messages) message.ended?.(error);
    };
    try {
      this.link.write(frame, ended);
      return true;
    } catch (error) {
      // write() turns anything a transport throws into a TransportError
      ended(error as RpcError);
      return false;
    }
  }
}
