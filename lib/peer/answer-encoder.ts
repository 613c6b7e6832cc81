import { ErrorCodes, ServerErrorCodes } from '../protocol/error-codes';
import { ProtocolError, type RpcError } from '../protocol/errors';
import { fitsInUtf8, utf8Length } from '../protocol/utf8-length';
import { errorAnswer, type Answer } from './answer-message';
import { encode } from './encode';

/**
 * Turns answers into frames no larger than `maxAnswerSize` bytes: an answer that cannot be
 * serialised becomes -32603, one that would pass the limit becomes -32005, each reported.
 * The text of batch answers still waiting for a member is held within `maxPending` bytes
 * for the whole peer, so batches left open by one slow member cannot pile up answers.
 */
export class AnswerEncoder {
  /** Bytes held by batch answers not yet sent. */
  private pending = 0;

  constructor(
    private readonly maxAnswerSize: number,
    private readonly maxPending: number,
    private readonly report: (error: RpcError) => void,
  ) {}

  /** One answer as a frame of its own. */
  single(answer: Answer): string {
    return this.encode(answer, this.maxAnswerSize) ?? tooLarge(answer);
  }

  /**
   * A batch's answer, encoded member by member as the answers come (so only their text is
   * kept, never every result at once), then sent as one array frame. Once a member would
   * pass the limit, it and every member answered after it are replaced, those after it
   * without being serialised: a batch cannot make the peer encode far more than it may send.
   */
  batch(): BatchAnswer {
    return new BatchAnswer(this, this.maxAnswerSize - 2);
  }

  /** Forgets what batch answers of a dropped link held: they will never be sent. */
  reset(): void {
    this.pending = 0;
  }

  /** Takes `bytes` for a batch answer's member; false, reported, when batches hold too much. */
  hold(bytes: number, answer: Answer): boolean {
    if (this.pending > 0 && this.pending + bytes > this.maxPending) {
      this.report(
        new ProtocolError(
          `Answer to request ${String(answer.id)} not sent: batch answers waiting for their last member hold ${this.pending} bytes (maxAnsweringBytes ${this.maxPending}); answered -32005 instead`,
        ),
      );
      return false;
    }
    this.pending += bytes;
    return true;
  }

  release(bytes: number): void {
    this.pending = Math.max(0, this.pending - bytes);
  }

  /**
   * One answer as text (-32603 instead when it cannot be serialised), or undefined, reported,
   * when it is over `room` bytes.
   */
  encode(answer: Answer, room: number): string | undefined {
    let text: string;
    try {
      text = encode(answer, () => `Answer to request ${String(answer.id)}`);
    } catch (error) {
      this.report(error as RpcError);
      return JSON.stringify(errorAnswer(answer.id, ErrorCodes.InternalError, 'Internal error'));
    }
    if (fitsInUtf8(text, room)) return text;
    this.report(
      new ProtocolError(
        `Answer to request ${String(answer.id)} not sent: it would pass maxAnswerSize (${this.maxAnswerSize} bytes); answered -32005 instead`,
      ),
    );
    return undefined;
  }
}

/** The answer that replaces one over the limit. */
function tooLarge(answer: Answer): string {
  return JSON.stringify(errorAnswer(answer.id, ServerErrorCodes.LimitExceeded, 'Answer too large'));
}

/** The members of one batch's answer so far, as text, and the bytes left for the others. */
export class BatchAnswer {
  private readonly parts: string[] = [];
  private full = false;
  private held = 0;

  constructor(
    private readonly encoder: AnswerEncoder,
    private room: number,
  ) {}

  /** How many answers were added. */
  get size(): number {
    return this.parts.length;
  }

  add(answer: Answer): void {
    const text = this.full ? undefined : this.encoder.encode(answer, this.room);
    if (text === undefined) {
      this.full = true;
      return this.push(tooLarge(answer));
    }
    const size = utf8Length(text) + 1;
    if (!this.encoder.hold(size, answer)) {
      return this.push(
        JSON.stringify(errorAnswer(answer.id, ServerErrorCodes.LimitExceeded, 'Too many calls in progress')),
      );
    }
    this.held += size;
    this.room -= size;
    this.parts.push(text);
  }

  /** The array frame; what the batch held is given back. */
  frame(): string {
    this.encoder.release(this.held);
    this.held = 0;
    return `[${this.parts.join(',')}]`;
  }

  /** A replacement answer: small, but counted, so that the frame stays near the limit. */
  private push(text: string): void {
    this.room -= text.length + 1;
    this.parts.push(text);
  }
}
