import type { ProtocolError } from '../protocol/errors';

/** What a decoder does with what it finds. */
export interface DecoderSink {
  /** One whole frame, decoded as UTF-8. */
  frame(text: string): void;
  /**
   * Bytes that are not a frame; with `fatal`, the stream cannot be read further, and the
   * link ends with `closeCode`.
   * @param closeCode The close code of the link's `ConnectionClosedError` when `fatal`:
   * 1009 (Message Too Big) for a frame over a size limit. @default 1002 (Protocol Error)
   */
  error(error: ProtocolError, fatal: boolean, closeCode?: number): void;
}

/** Turns a byte stream into frames, whatever the chunk boundaries. */
export interface FrameDecoder {
  /** Feeds the next bytes of the stream; whole frames go to the sink as they complete. */
  push(chunk: Buffer): void;
}
