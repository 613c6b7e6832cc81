import { ProtocolError } from '../../protocol/errors';
import type { Reporter } from '../trace';
import type { JsonRpcNotification, JsonRpcRequest } from '../../protocol/messages';

/**
 * What one incoming frame holds while calls it carried are being handled: its size, charged
 * once however many of its calls run, and given back when the last of them ends (the parsed
 * frame can be that large in memory until then).
 */
export class FrameCost {
  /** Calls of this frame being handled now. */
  calls = 0;

  constructor(
    /** The frame's length, in UTF-16 code units (its text as JavaScript holds it). */
    readonly size: number,
  ) {}
}

/**
 * The limits on what a peer handles at once for the other side: calls (requests and
 * notifications, running or waiting for a turn) and the size of the frames they came in.
 * Past either, a new call is refused. One frame is always let in when nothing else is
 * held, so a frame larger than the byte budget alone still runs.
 */
export class AnsweringLimits {
  private calls = 0;
  private bytes = 0;
  private refusing = false;

  constructor(
    private readonly maxCalls: number,
    private readonly maxBytes: number,
    /** Where a refusal is reported (an object: the answering side's setup, no closure of each peer). */
    private readonly reporter: Reporter,
  ) {}

  /**
   * Takes a place for `call`, which came in `frame`: a batch's cost, or the size of a lone
   * frame (its one call holds it alone). False when a limit is reached (nothing is taken).
   * The first refusal of a run of them is reported.
   */
  admit(frame: FrameCost | number, call: JsonRpcRequest | JsonRpcNotification): boolean {
    if (this.fits(frame)) {
      this.refusing = false;
      if (typeof frame === 'number') this.bytes += frame;
      else if (frame.calls++ === 0) this.bytes += frame.size;
      this.calls++;
      return true;
    }
    if (!this.refusing) {
      this.refusing = true;
      // Named only here: a call let in costs no words.
      const subject = 'id' in call ? `request ${String(call.id)} (${call.method})` : `notification (${call.method})`;
      this.reporter.report(new ProtocolError(`Refused ${subject} and the calls after it: ${this.describe()}`));
    }
    return false;
  }

  private fits(frame: FrameCost | number): boolean {
    if (this.calls >= this.maxCalls) return false;
    if (typeof frame !== 'number' && frame.calls > 0) return true;
    const size = typeof frame === 'number' ? frame : frame.size;
    return this.bytes === 0 || this.bytes + size <= this.maxBytes;
  }

  /** Gives back the place of one call of `frame`. */
  release(frame: FrameCost | number): void {
    this.calls--;
    if (typeof frame === 'number') this.bytes -= frame;
    else if (--frame.calls === 0) this.bytes -= frame.size;
  }

  private describe(): string {
    return `${this.calls} calls in ${this.bytes} characters of frames are being handled (maxAnswering ${this.maxCalls}, maxAnsweringBytes ${this.maxBytes})`;
  }
}
