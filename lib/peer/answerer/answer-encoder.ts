import { ErrorCodes, ServerErrorCodes } from '../../protocol/error-codes';
import { ProtocolError, type RpcError } from '../../protocol/errors';
import { fitsInUtf8, utf8Length } from '../../protocol/utf8-length';
import type { JsonRpcId } from '../../protocol/messages';
import { errorAnswer, type Answer } from './answer-message';
import { areText, asIs, encodeWith, unserialisable, type OutgoingFrame } from '../link/encode';
import type { Codec } from '../options';

/**
 * Turns answers into frames no larger than `maxAnswerSize` bytes: an answer that cannot be
 * serialised becomes -32603, one that would pass the limit becomes -32005, each reported.
 * The text of batch answers still waiting for a member is held within `maxPending` bytes
 * for the whole peer, so batches left open by one slow member cannot pile up answers.
 */
export class AnswerEncoder {
  /** Bytes held by batch answers of link `counted` not yet sent. */
  private pending = 0;
  private counted = 0;

  constructor(
    private readonly maxAnswerSize: number,
    private readonly maxPending: number,
    /** Where failures go, and the link's generation now: batches of a link that dropped will never be sent, nor count. */
    private readonly link: { report(error: RpcError): void; readonly generation: number },
    /** How answers become text: JSON when undefined. */
    private readonly codec?: Codec,
  ) {}

  /** One answer as a frame of its own. */
  single(answer: Answer): OutgoingFrame {
    return this.encode(answer, this.maxAnswerSize) ?? tooLarge(answer.id);
  }

  /**
   * A batch's answer, encoded member by member as the answers come (so only their text is
   * kept, never every result at once), then sent as one array frame. Once a member would
   * pass the limit, it and every member answered after it are replaced, those after it
   * without being serialised: a batch cannot make the peer encode far more than it may send.
   */
  batch(): BatchAnswer {
    return new BatchAnswer(this, this.maxAnswerSize - 2, this.link.generation);
  }

  /** Takes `bytes` for a waiting member of a batch of link `generation`; false when batches would hold too much. */
  hold(bytes: number, generation: number): boolean {
    if (generation !== this.link.generation) return true;
    if (generation !== this.counted) {
      // The first batch of a new link: what the batches of the last one held went with it.
      this.pending = 0;
      this.counted = generation;
    }
    if (this.pending > 0 && this.pending + bytes > this.maxPending) return false;
    this.pending += bytes;
    return true;
  }

  /** Says once per batch that its answers are refused for the budget. */
  reportFull(id: JsonRpcId | null): void {
    this.link.report(
      new ProtocolError(
        `Answer to request ${String(id)} not sent: batch answers waiting for their last member hold ${this.pending} bytes (maxAnsweringBytes ${this.maxPending}); answered -32005 instead`,
      ),
    );
  }

  release(bytes: number, generation: number): void {
    if (generation === this.counted) this.pending -= bytes;
  }

  /**
   * One answer as text (-32603 instead when it cannot be serialised), or undefined, reported,
   * when it is over `room` bytes. With the `asIs` codec, the answer itself: no text, no size.
   */
  encode(answer: Answer, room: number): OutgoingFrame | undefined {
    let text: string;
    try {
      if (this.codec === undefined) text = JSON.stringify(answer);
      else if (this.codec === asIs) return answer;
      else text = encodeWith(this.codec, answer);
    } catch (cause) {
      this.link.report(unserialisable(`Answer to request ${String(answer.id)}`, cause, this.codec !== undefined));
      return JSON.stringify(errorAnswer(answer.id, ErrorCodes.InternalError, 'Internal error'));
    }
    if (fitsInUtf8(text, room)) return text;
    this.link.report(
      new ProtocolError(
        `Answer to request ${String(answer.id)} not sent: it would pass maxAnswerSize (${this.maxAnswerSize} bytes); answered -32005 instead`,
      ),
    );
    return undefined;
  }
}

/** The answer that replaces one over the limit. */
function tooLarge(id: JsonRpcId | null): string {
  return JSON.stringify(errorAnswer(id, ServerErrorCodes.LimitExceeded, 'Answer too large'));
}

/**
 * The members of one batch's answer so far, as text, and the bytes left for the others.
 * Its text counts toward the peer's budget only while the batch waits for a member after
 * it was read: a batch answered at once, or the member that completes one, waits for nothing.
 */
export class BatchAnswer {
  private readonly parts: OutgoingFrame[] = [];
  /** The members answered while the batch was read, not yet counted: their place, id and size. */
  private unheld: { readonly index: number; readonly id: JsonRpcId | null; readonly size: number }[] = [];
  private full = false;
  private waiting = false;
  private refused = false;
  /** The UTF-8 bytes counted in the budget. */
  private held = 0;

  constructor(
    private readonly encoder: AnswerEncoder,
    private room: number,
    /** The generation of the link the batch came on. */
    private readonly generation: number,
  ) {}

  /** How many answers were added. */
  get size(): number {
    return this.parts.length;
  }

  /** Adds a member's answer; `last` when it completes the batch (nothing waits after it). */
  add(answer: Answer, last: boolean): void {
    const text = this.full ? undefined : this.encoder.encode(answer, this.room);
    if (text === undefined) {
      this.full = true;
      return this.push(tooLarge(answer.id));
    }
    const size = typeof text === 'string' ? utf8Length(text) + 1 : 0;
    if (this.waiting && !last && !this.hold(size, answer.id)) return this.push(tooMany(answer.id));
    if (!this.waiting) this.unheld.push({ index: this.parts.length, id: answer.id, size });
    this.room -= size;
    this.parts.push(text);
  }

  /**
   * The batch was read and some members are still running: from now on what it holds counts,
   * and the answers already made that do not fit the budget are replaced by -32005.
   */
  wait(): void {
    this.waiting = true;
    for (const { index, id, size } of this.unheld) if (!this.hold(size, id)) this.parts[index] = tooMany(id);
    this.unheld = [];
  }

  /**
   * The array frame (the array of the answers themselves with the `asIs` codec), or an empty
   * string when no member was answered; what it held is given back.
   */
  frame(): OutgoingFrame {
    this.encoder.release(this.held, this.generation);
    this.held = 0;
    const parts = this.parts;
    if (parts.length === 0) return '';
    // Answers handed over as objects have no size: no limit replaces one with text.
    return areText(parts) ? `[${parts.join(',')}]` : parts;
  }

  private hold(size: number, id: JsonRpcId | null): boolean {
    if (this.encoder.hold(size, this.generation)) {
      this.held += size;
      return true;
    }
    if (!this.refused) this.encoder.reportFull(id);
    this.refused = true;
    return false;
  }

  /** A replacement answer: small, but counted, so that the frame stays near the limit. */
  private push(text: string): void {
    this.room -= text.length + 1;
    this.parts.push(text);
  }
}

function tooMany(id: JsonRpcId | null): string {
  return JSON.stringify(errorAnswer(id, ServerErrorCodes.LimitExceeded, 'Too many calls in progress'));
}
