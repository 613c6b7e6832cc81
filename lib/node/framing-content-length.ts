import { ProtocolError } from '../protocol/errors';
import type { DecoderSink, FrameDecoder } from './frame-decoder';
import { frameText } from './framing-text';

/** The limits of one Content-Length decoder, every option filled in. */
export interface ContentLengthLimits {
  readonly onBadHeader: 'resync' | 'close';
  readonly maxFrameSize: number;
  readonly maxHeaderSize: number;
}

const CR = 13;
const LF = 10;
/** What resynchronisation looks for, in lower case: the start of the next frame's header. */
const marker = Buffer.from('content-length:');
const lengthLine = /^content-length:[ \t]*(.*)$/gim;
const digits = /^\d+$/;

/**
 * Reads Content-Length frames in one pass over the bytes. Each byte is looked at once: the
 * header (at most `maxHeaderSize` bytes) by a small matcher for its blank line, the body
 * only counted, and its chunks joined once it is whole. Every step consumes input, so no
 * input can loop it; a length over `maxFrameSize` ends the stream before any body byte is kept.
 */
export function contentLengthDecoder(sink: DecoderSink, limits: ContentLengthLimits): FrameDecoder {
  const { onBadHeader, maxFrameSize, maxHeaderSize } = limits;
  let phase: 'header' | 'body' | 'resync' | 'closed' = 'header';
  // The current header's bytes, as slices of the chunks they came in; the body's, as text.
  let parts: Buffer[] = [];
  const body = frameText();
  /** How many bytes of the header or body have come. */
  let length = 0;
  /** How much of "\r\n\r\n" the header's last bytes match. */
  let ends = 0;
  /** The body's length, once its header is read. */
  let expected = 0;
  /** While resynchronising: how much of "content-length:" the last bytes match. */
  let found = 0;

  const restart = (next: typeof phase) => {
    phase = next;
    parts = [];
    body.clear();
    length = ends = found = 0;
  };
  const fail = (message: string, fatal: boolean, code?: number): void => {
    restart(fatal ? 'closed' : 'resync');
    sink.error(new ProtocolError(message), fatal, code);
  };
  const bad = (message: string): void => fail(`Bad header: ${message}`, onBadHeader === 'close');

  const readHeader = (): void => {
    const block = Buffer.concat(parts, length).toString('latin1', 0, length - 4);
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the pattern's one group always takes part in a match
    const values = [...new Set(Array.from(block.matchAll(lengthLine), (match) => trimEnd(match[1]!)))];
    if (values.length === 0) return bad(`no Content-Length in ${JSON.stringify(block.slice(0, 80))}`);
    // Two lengths for one frame is how requests are smuggled past a proxy: trust neither.
    if (values.length > 1) return bad(`conflicting Content-Length values ${values.map(quote).join(', ')}`);
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- values has exactly one member here
    const value = values[0]!;
    if (!digits.test(value)) return bad(`Content-Length ${quote(value)} is not a number`);
    const size = value.replace(/^0+(?=\d)/, '');
    // More digits than a safe integer holds is past any limit, whatever Number() rounds it to.
    if (size.length > 15 || Number(size) > maxFrameSize) {
      const shown = size.length > 24 ? `${size.slice(0, 20)}... (${size.length} digits)` : size;
      // The body cannot be skipped safely (a sender that lies once may lie again), so the stream ends.
      return fail(`Frame of ${shown} bytes refused: larger than maxFrameSize (${maxFrameSize})`, true, 1009);
    }
    restart('body');
    expected = Number(size);
    if (expected === 0) {
      restart('header');
      sink.frame('');
    }
  };

  const steps: Record<'header' | 'body' | 'resync', (chunk: Buffer, start: number) => number> = {
    header: (chunk, start) => {
      // At least one byte per step, whatever the limit, so that the loop always advances.
      const stop = Math.min(chunk.length, start + Math.max(1, maxHeaderSize - length));
      let at = start;
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- at < stop <= chunk.length (the hot loop, no check twice)
      while (at < stop && ends < 4) ends = nextEnds(ends, chunk[at++]!);
      parts.push(chunk.subarray(start, at));
      length += at - start;
      if (ends === 4) readHeader();
      else if (length >= maxHeaderSize) bad(`no blank line within ${maxHeaderSize} bytes`);
      return at;
    },
    body: (chunk, start) => {
      const end = Math.min(chunk.length, start + expected - length);
      body.add(chunk.subarray(start, end));
      length += end - start;
      if (length === expected) {
        const text = body.end();
        restart('header');
        sink.frame(text);
      }
      return end;
    },
    resync: (chunk, start) => {
      let at = start;
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- at < chunk.length (the hot loop, no check twice)
      while (at < chunk.length && found < marker.length) found = nextFound(found, chunk[at++]!);
      if (found === marker.length) {
        // The marker's bytes are gone; its canonical spelling starts the header in their place.
        restart('header');
        parts = [Buffer.from('Content-Length:')];
        length = marker.length;
      }
      return at;
    },
  };

  return {
    push: (chunk) => {
      for (let at = 0; at < chunk.length && phase !== 'closed';) at = steps[phase](chunk, at);
    },
  };
}

/** The "\r\n\r\n" matcher's next state after `byte`. */
function nextEnds(state: number, byte: number): number {
  if (byte === (state % 2 === 0 ? CR : LF)) return state + 1;
  return byte === CR ? 1 : 0;
}

/** The case-insensitive "content-length:" matcher's next state after `byte` (only its first letter repeats: no other fallback). */
function nextFound(state: number, byte: number): number {
  const lower = byte >= 65 && byte <= 90 ? byte + 32 : byte;
  if (lower === marker[state]) return state + 1;
  return lower === marker[0] ? 1 : 0;
}

/** Trims spaces and tabs at the end without a regular expression (which would backtrack on long runs). */
function trimEnd(text: string): string {
  let end = text.length;
  while (end > 0 && (text[end - 1] === ' ' || text[end - 1] === '\t')) end--;
  return text.slice(0, end);
}

function quote(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
}
