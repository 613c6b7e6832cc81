import { ErrorCodes, ServerErrorCodes } from '../protocol/error-codes';
import { ProtocolError, type RpcError } from '../protocol/errors';
import { fitsInUtf8, utf8Length } from '../protocol/utf8-length';
import { errorAnswer, type Answer } from './answer-message';
import { encode } from './encode';

/**
 * Turns answers into frames no larger than `maxAnswerSize` bytes: an answer that cannot be
 * serialised becomes -32603, one that would pass the limit becomes -32005, each reported.
 */
export class AnswerEncoder {
  constructor(
    private readonly maxAnswerSize: number,
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
    return new BatchAnswer((answer, room) => this.encode(answer, room), this.maxAnswerSize - 2);
  }

  /**
   * One answer as text (-32603 instead when it cannot be serialised), or undefined, reported,
   * when it is over `room` bytes.
   */
  private encode(answer: Answer, room: number): string | undefined {
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
export function tooLarge(answer: Answer): string {
  return JSON.stringify(errorAnswer(answer.id, ServerErrorCodes.LimitExceeded, 'Answer too large'));
}

/** The members of one batch's answer so far, as text, and the bytes left for the others. */
export class BatchAnswer {
  private readonly parts: string[] = [];
  private full = false;

  constructor(
    private readonly encode: (answer: Answer, room: number) => string | undefined,
    private room: number,
  ) {}

  /** How many answers were added. */
  get size(): number {
    return this.parts.length;
  }

  add(answer: Answer): void {
    if (this.full) return void this.parts.push(tooLarge(answer));
    const text = this.encode(answer, this.room);
    if (text === undefined) {
      this.full = true;
      return void this.parts.push(tooLarge(answer));
    }
    this.room -= utf8Length(text) + 1;
    this.parts.push(text);
  }

  /** The array frame. */
  frame(): string {
    return `[${this.parts.join(',')}]`;
  }
}
