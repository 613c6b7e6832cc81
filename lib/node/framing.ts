import { constants } from 'node:buffer';
import { contentLengthDecoder } from './framing-content-length';
import type { DecoderSink, FrameDecoder } from './frame-decoder';
import { newlineDecoder } from './framing-newline';

/** How frames are delimited on a byte stream: how to write one, and how to read them back. */
export interface Framing {
  /** The framing's name, for messages: `'content-length'`, `'newline'`. */
  readonly name: string;
  /** One frame as it goes on the stream. */
  encode(frame: string): string;
  /** A decoder of one stream, delivering to `sink`. */
  decoder(sink: DecoderSink): FrameDecoder;
}

/** Options of {@link contentLength}. */
export interface ContentLengthOptions {
  /**
   * What a bad header does (no `Content-Length`, a length that is not a number, two that
   * differ, no blank line within `maxHeaderSize`): `'resync'` reports it (on the peer's
   * `errors$`), drops the header and skips to the next `Content-Length:`; `'close'` reports
   * it and ends the link (`ConnectionClosedError`, code 1002).
   * @default 'resync'
   */
  readonly onBadHeader?: 'resync' | 'close';
  /**
   * The largest frame, in bytes. A header announcing more ends the link before any of the
   * body is kept: `ConnectionClosedError` with code 1009 (Message Too Big) and the reason
   * "Frame of <n> bytes refused: larger than maxFrameSize (<max>)". With `reconnect`, the
   * peer reconnects (1009 is not a "go away" code).
   * @default 67_108_864 (64 MiB)
   */
  readonly maxFrameSize?: number;
  /**
   * The largest header block, its blank line included, in bytes; a longer one is a bad header.
   * @default 8_192 (8 KiB)
   */
  readonly maxHeaderSize?: number;
}

/**
 * The Language Server Protocol's framing: each frame is preceded by headers, at least
 * `Content-Length: <bytes>`, and a blank line (`\r\n\r\n`). Frames may be split across
 * chunks anywhere, even inside a multi-byte character. Decoding is linear in the bytes
 * received, and holds at most one header block or one frame of a stream at a time.
 *
 * @example
 * ```ts
 * const server = connect(spawnProcess('typescript-language-server', ['--stdio'], {
 *   framing: contentLength({ onBadHeader: 'close', maxFrameSize: 8_388_608 }),
 * }));
 * ```
 */
export function contentLength(options: ContentLengthOptions = {}): Framing {
  const { onBadHeader = 'resync', maxFrameSize = 67_108_864, maxHeaderSize = 8_192 } = options;
  const limits = { onBadHeader, maxFrameSize: fitString(maxFrameSize), maxHeaderSize };
  return {
    name: 'content-length',
    encode: (frame) => `Content-Length: ${Buffer.byteLength(frame)}\r\n\r\n${frame}`,
    decoder: (sink) => contentLengthDecoder(sink, limits),
  };
}

/** Options of {@link newline}. */
export interface NewlineOptions {
  /**
   * The longest line, in bytes, its `\n` excluded (a `\r` before it counts). A longer line is reported on the
   * peer's `errors$` ("Line dropped: longer than maxLineSize (<max> bytes)") and its bytes
   * are dropped up to the next newline; the link stays open, since the next line starts
   * cleanly after it.
   * @default 67_108_864 (64 MiB)
   */
  readonly maxLineSize?: number;
}

/**
 * Newline-delimited JSON (NDJSON, JSON Lines): one frame per line. Used by the Model
 * Context Protocol's stdio transport and many daemons. Blank lines are skipped; `\r\n`
 * line ends are accepted. Decoding is linear in the bytes received.
 *
 * @example
 * ```ts
 * const mcp = connect(spawnProcess('mcp-server', [], { framing: newline({ maxLineSize: 1_048_576 }) }));
 * ```
 */
export function newline(options: NewlineOptions = {}): Framing {
  const maxLineSize = fitString(options.maxLineSize ?? 67_108_864);
  return {
    name: 'newline',
    // JSON.stringify escapes newlines inside strings, so a frame is always one line.
    encode: (frame) => `${frame}\n`,
    decoder: (sink) => newlineDecoder(sink, maxLineSize),
  };
}

/** A limit no larger than the longest string V8 can make: a frame's bytes never decode to more characters. */
function fitString(limit: number): number {
  return Math.min(limit, constants.MAX_STRING_LENGTH);
}

/** A framing by name, or the framing given. */
export function framingOf(framing: Framing | 'content-length' | 'newline' | undefined): Framing {
  if (typeof framing === 'object') return framing;
  return framing === 'newline' ? newline() : contentLength();
}
