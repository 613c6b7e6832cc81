import { StringDecoder } from 'node:string_decoder';

/**
 * One frame's bytes decoded to text as they come, so that the frame's last chunk costs no
 * more than any other. Bytes are decoded a mebibyte at a time: a string that large is born
 * in V8's large-object space, which young-generation collections never copy (64 KiB strings
 * would be copied by each scavenge, stalling the event loop for as long as a whole decode).
 */
export interface FrameText {
  /** Adds the next bytes of the frame (the slice is kept until the next mebibyte is decoded). */
  add(bytes: Buffer): void;
  /** The whole frame's text; the builder is empty again. */
  end(): string;
  /** Forgets the frame so far. */
  clear(): void;
}

const batch = 1_048_576;

/** Makes an empty {@link FrameText}. */
export function frameText(): FrameText {
  const utf8 = new StringDecoder('utf8');
  let text = '';
  let pending: Buffer[] = [];
  let length = 0;
  const decode = () => {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- pending has one member here
    if (length > 0) text += utf8.write(pending.length === 1 ? pending[0]! : Buffer.concat(pending, length));
    pending = [];
    length = 0;
  };
  const clear = () => {
    pending = [];
    length = 0;
    text = '';
    utf8.end();
  };
  return {
    add: (bytes) => {
      if (bytes.length === 0) return;
      pending.push(bytes);
      length += bytes.length;
      if (length >= batch) decode();
    },
    end: () => {
      decode();
      const whole = text + utf8.end();
      text = '';
      return whole;
    },
    clear,
  };
}
