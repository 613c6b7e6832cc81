import fc from 'fast-check';
import { contentLength, newline, type Framing } from 'rx-jsonrpc/node';
import type { ProtocolError } from 'rx-jsonrpc';

/** Decodes `chunks` with `framing`, collecting the frames and problems. */
function decodeAll(framing: Framing, chunks: readonly Buffer[]) {
  const frames: string[] = [];
  const errors: { message: string; fatal: boolean }[] = [];
  const decoder = framing.decoder({
    frame: (text) => frames.push(text),
    error: (error: ProtocolError, fatal) => errors.push({ message: error.message, fatal }),
  });
  for (const chunk of chunks) decoder.push(chunk);
  return { frames, errors };
}

/** Cuts `bytes` at the given offsets (any order, duplicates allowed). */
function cut(bytes: Buffer, offsets: readonly number[]): Buffer[] {
  const points = [...new Set(offsets.map((o) => o % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const point of points) {
    chunks.push(bytes.subarray(start, point));
    start = point;
  }
  chunks.push(bytes.subarray(start));
  return chunks;
}

/** JSON-RPC-like frames with any Unicode, including multi-byte and astral characters. */
const frameArbitrary = fc
  .record({
    id: fc.nat(),
    method: fc.string({ unit: 'binary', maxLength: 40 }),
    params: fc.array(fc.string({ unit: 'grapheme', maxLength: 20 }), { maxLength: 5 }),
  })
  .map((message) => JSON.stringify({ jsonrpc: '2.0', ...message }));

describe.each([
  ['content-length', contentLength()],
  ['newline', newline()],
])('%s framing', (_, framing) => {
  it('gives back every frame, whatever the chunk boundaries (property)', () => {
    fc.assert(
      fc.property(
        fc.array(frameArbitrary, { maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        (frames, offsets) => {
          const bytes = Buffer.from(frames.map((frame) => framing.encode(frame)).join(''));
          const decoded = decodeAll(framing, cut(bytes, offsets));
          expect(decoded.errors).toEqual([]);
          expect(decoded.frames).toEqual(frames);
        },
      ),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 500) },
    );
  });

  it('splits a multi-byte character across chunks without damage', () => {
    const frame = JSON.stringify({ jsonrpc: '2.0', method: 'é€😀' });
    const bytes = Buffer.from(framing.encode(frame));
    const inside = bytes.indexOf(Buffer.from('😀')) + 2;
    expect(decodeAll(framing, [bytes.subarray(0, inside), bytes.subarray(inside)]).frames).toEqual([frame]);
  });

  it('reads many frames from one chunk', () => {
    const frames = ['{"a":1}', '{"b":2}', '{"c":3}'];
    expect(decodeAll(framing, [Buffer.from(frames.map((f) => framing.encode(f)).join(''))]).frames).toEqual(frames);
  });
});

describe('contentLength', () => {
  it('writes the byte length, not the character length', () => {
    expect(contentLength().encode('"é"')).toBe('Content-Length: 4\r\n\r\n"é"');
  });

  it('accepts other headers and any case', () => {
    const text = 'content-type: application/vscode-jsonrpc; charset=utf-8\r\nCONTENT-LENGTH: 2\r\n\r\n{}';
    expect(decodeAll(contentLength(), [Buffer.from(text)]).frames).toEqual(['{}']);
  });

  it('reports a bad header and resynchronises on the next frame', () => {
    const text = 'Content-Lenth: 2\r\n\r\n{}' + contentLength().encode('{"ok":1}');
    const { frames, errors } = decodeAll(contentLength(), [Buffer.from(text)]);
    expect(frames).toEqual(['{"ok":1}']);
    expect(errors).toEqual([{ message: 'Bad header: no Content-Length in "Content-Lenth: 2"', fatal: false }]);
  });

  it('reports a bad header as fatal and reads nothing more when told to close', () => {
    const text = 'Garbage: yes\r\n\r\n' + contentLength().encode('{}');
    const { frames, errors } = decodeAll(contentLength({ onBadHeader: 'close' }), [Buffer.from(text)]);
    expect(frames).toEqual([]);
    expect(errors).toEqual([{ message: 'Bad header: no Content-Length in "Garbage: yes"', fatal: true }]);
  });

  it('reports headers that never end', () => {
    const { errors } = decodeAll(contentLength(), [Buffer.from('x'.repeat(9_000))]);
    expect(errors[0]).toEqual({ message: 'Bad header: no blank line within 8192 bytes', fatal: false });
  });

  it('skips a frame over maxFrameSize and reads the next', () => {
    const text = contentLength().encode('x'.repeat(50)) + contentLength().encode('{}');
    const { frames, errors } = decodeAll(contentLength({ maxFrameSize: 10 }), cut(Buffer.from(text), [5, 30, 60]));
    expect(frames).toEqual(['{}']);
    expect(errors).toEqual([{ message: 'Frame of 50 bytes skipped: larger than maxFrameSize (10)', fatal: false }]);
  });
});

describe('newline', () => {
  it('accepts \\r\\n line ends and skips blank lines', () => {
    expect(decodeAll(newline(), [Buffer.from('{"a":1}\r\n\n  \n{"b":2}\n')]).frames).toEqual(['{"a":1}', '{"b":2}']);
  });

  it('keeps a partial line until its end arrives', () => {
    expect(decodeAll(newline(), [Buffer.from('{"a"'), Buffer.from(':1}')]).frames).toEqual([]);
    expect(decodeAll(newline(), [Buffer.from('{"a"'), Buffer.from(':1}\n')]).frames).toEqual(['{"a":1}']);
  });
});
