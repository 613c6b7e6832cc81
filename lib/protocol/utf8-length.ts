const nonAscii = /[\u0080-\uffff]/;

/** The size of `text` in UTF-8, in bytes, counted without encoding it (a lone surrogate counts as U+FFFD, 3 bytes). */
export function utf8Length(text: string): number {
  // Most JSON is ASCII: one regular-expression scan settles it, far faster than a loop.
  if (!nonAscii.test(text)) return text.length;
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) bytes += 1;
    else if (code >= 0xd800 && code <= 0xdbff && isLowSurrogate(text.charCodeAt(i + 1))) {
      // A pair: 2 code units, 4 bytes.
      bytes += 2;
      i++;
    } else bytes += 2;
  }
  return bytes;
}

/** Whether `text` is at most `limit` bytes in UTF-8; counts only when its length leaves a doubt. */
export function fitsInUtf8(text: string, limit: number): boolean {
  if (text.length > limit) return false;
  return text.length * 3 <= limit || utf8Length(text) <= limit;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
