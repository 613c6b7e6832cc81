import { ProtocolError } from '../protocol/errors';
import type { DecoderSink, FrameDecoder } from './frame-decoder';
import { frameText } from './framing-text';

const LF = 10;
const CR = 13;
const cr = Buffer.from('\r');

/**
 * Reads newline-delimited frames: each chunk is searched once for line ends and decoded as
 * it comes, and a line longer than `maxLineSize` is reported and its bytes dropped up to the
 * next newline, where reading goes on. The text of a line is never scanned again (no
 * trimming, no regular expression): its last chunk costs no more than any other.
 */
export function newlineDecoder(sink: DecoderSink, maxLineSize: number): FrameDecoder {
  const line = frameText();
  /** How many bytes of the current line have come. */
  let length = 0;
  /** Whether the line so far is only spaces, tabs and carriage returns. */
  let blank = true;
  /** A carriage return held back from the line: dropped if the newline comes next. */
  let heldCr = false;
  /** True while the rest of an over-long line is dropped. */
  let dropping = false;

  const reset = () => {
    line.clear();
    length = 0;
    blank = true;
    heldCr = false;
  };
  const take = (chunk: Buffer, start: number, stop: number, ends: boolean) => {
    if (heldCr && !(ends && start === stop)) line.add(cr);
    // A CR at the end of a piece may be the line's "\r\n": hold it until we know.
    heldCr = stop > start && chunk[stop - 1] === CR;
    const end = heldCr ? stop - 1 : stop;
    if (blank) blank = isBlank(chunk, start, end);
    line.add(chunk.subarray(start, end));
    length += stop - start;
  };

  return {
    push: (chunk) => {
      let start = 0;
      for (let end = chunk.indexOf(LF); ; end = chunk.indexOf(LF, start)) {
        const stop = end < 0 ? chunk.length : end;
        if (!dropping && length + stop - start > maxLineSize) {
          reset();
          dropping = true;
          sink.error(new ProtocolError(`Line dropped: longer than maxLineSize (${maxLineSize} bytes)`), false);
        }
        if (!dropping) take(chunk, start, stop, end >= 0);
        if (end < 0) return;
        const text = line.end();
        const skip = dropping || blank;
        reset();
        dropping = false;
        if (!skip) sink.frame(text);
        start = end + 1;
      }
    },
  };
}

/** Whether bytes `start` to `end` are all spaces, tabs, CRs, vertical tabs or form feeds; stops at the first that is not. */
function isBlank(chunk: Buffer, start: number, end: number): boolean {
  for (let at = start; at < end; at++) {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- at < chunk.length (the hot loop, no check twice)
    const byte = chunk[at]!;
    if (byte !== 32 && (byte < 9 || byte > 13)) return false;
  }
  return true;
}
