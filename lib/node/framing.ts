import { ProtocolError } from '../protocol/errors';

/** What a decoder does with what it finds. */
export interface DecoderSink {
  /** One whole frame, decoded as UTF-8. */
  frame(text: string): void;
  /** Bytes that are not a frame; with `fatal`, the stream cannot be read further. */
  error(error: ProtocolError, fatal: boolean): void;
}

/** Turns a byte stream into frames, whatever the chunk boundaries. */
export interface FrameDecoder {
  /** Feeds the next bytes of the stream; whole frames go to the sink as they complete. */
  push(chunk: Buffer): void;
}

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
   * What a bad header does: `'resync'` reports it and skips to the next `Content-Length`
   * header; `'close'` reports it and closes the stream.
   * @default 'resync'
   */
  readonly onBadHeader?: 'resync' | 'close';
  /**
   * The largest frame, in bytes; a larger one is reported and skipped.
   * @default 67_108_864 (64 MiB)
   */
  readonly maxFrameSize?: number;
}

/** Headers longer than this without their blank line are not headers. */
const maxHeaderSize = 8_192;
const headerEnd = Buffer.from('\r\n\r\n');

/**
 * The Language Server Protocol's framing: each frame is preceded by headers, at least
 * `Content-Length: <bytes>`, and a blank line (`\r\n\r\n`). Frames may be split across
 * chunks anywhere, even inside a multi-byte character.
 */
export function contentLength(options: ContentLengthOptions = {}): Framing {
  const { onBadHeader = 'resync', maxFrameSize = 67_108_864 } = options;
  return {
    name: 'content-length',
    encode: (frame) => `Content-Length: ${Buffer.byteLength(frame)}\r\n\r\n${frame}`,
    decoder: (sink) => {
      let buffer: Buffer = Buffer.alloc(0);
      let expected: number | undefined;
      let skipping = 0;
      let closed = false;
      const bad = (message: string) => {
        sink.error(new ProtocolError(message), onBadHeader === 'close');
        if (onBadHeader === 'close') return void (closed = true);
        // Skip to the next header that may start a frame.
        const next = buffer
          .toString('latin1')
          .slice(1)
          .search(/content-length:/i);
        buffer = next < 0 ? buffer.subarray(Math.max(0, buffer.length - 15)) : buffer.subarray(next + 1);
      };
      return {
        push: (chunk) => {
          if (closed) return;
          buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
          for (;;) {
            if (skipping > 0) {
              const skipped = Math.min(skipping, buffer.length);
              buffer = buffer.subarray(skipped);
              skipping -= skipped;
              if (skipping > 0) return;
            }
            if (expected === undefined) {
              const end = buffer.indexOf(headerEnd);
              if (end < 0) {
                if (buffer.length > maxHeaderSize) bad(`Bad header: no blank line within ${maxHeaderSize} bytes`);
                else return;
                if (closed) return;
                continue;
              }
              const header = buffer.toString('latin1', 0, end);
              const length = /^content-length:[ \t]*(\d+)[ \t]*$/im.exec(header)?.[1];
              if (length === undefined) {
                bad(`Bad header: no Content-Length in ${JSON.stringify(header.slice(0, 80))}`);
                if (closed) return;
                continue;
              }
              buffer = buffer.subarray(end + headerEnd.length);
              if (Number(length) > maxFrameSize) {
                sink.error(
                  new ProtocolError(`Frame of ${length} bytes skipped: larger than maxFrameSize (${maxFrameSize})`),
                  false,
                );
                skipping = Number(length);
                continue;
              }
              expected = Number(length);
            }
            if (buffer.length < expected) return;
            const text = buffer.toString('utf8', 0, expected);
            buffer = buffer.subarray(expected);
            expected = undefined;
            sink.frame(text);
          }
        },
      };
    },
  };
}

/**
 * Newline-delimited JSON (NDJSON, JSON Lines): one frame per line. Used by the Model
 * Context Protocol's stdio transport and many daemons. Blank lines are skipped; `\r\n`
 * line ends are accepted.
 */
export function newline(): Framing {
  return {
    name: 'newline',
    // JSON.stringify escapes newlines inside strings, so a frame is always one line.
    encode: (frame) => `${frame}\n`,
    decoder: (sink) => {
      let buffer: Buffer = Buffer.alloc(0);
      return {
        push: (chunk) => {
          buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
          let start = 0;
          for (let end = buffer.indexOf(10); end >= 0; end = buffer.indexOf(10, start)) {
            // 0x0A never occurs inside a multi-byte UTF-8 character, so bytes split safely here.
            const line = buffer.toString('utf8', start, end).replace(/\r$/, '');
            start = end + 1;
            if (line.trim() !== '') sink.frame(line);
          }
          buffer = buffer.subarray(start);
        },
      };
    },
  };
}

/** A framing by name, or the framing given. */
export function framingOf(framing: Framing | 'content-length' | 'newline' | undefined): Framing {
  if (typeof framing === 'object') return framing;
  return framing === 'newline' ? newline() : contentLength();
}
