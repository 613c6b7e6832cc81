import fc from 'fast-check';
import { contentLength, newline, type Framing } from 'rx-jsonrpc/node';
import type { ProtocolError } from 'rx-jsonrpc';

// Random cases are seeded: FUZZ_SEED=<seed> replays a failure.
const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
console.log(`framing.spec.ts: FUZZ_SEED=${seed}`);

/** Decodes `chunks` with `framing`, collecting the frames and problems. */
function decodeAll(framing: Framing, chunks: readonly Buffer[]) {
  const frames: string[] = [];
  const errors: { message: string; fatal: boolean; code?: number }[] = [];
  const decoder = framing.decoder({
    frame: (text) => frames.push(text),
    error: (error: ProtocolError, fatal, code) =>
      errors.push(code === undefined ? { message: error.message, fatal } : { message: error.message, fatal, code }),
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
      { seed, numRuns: Number(process.env.FUZZ_RUNS ?? 500) },
    );
  });

  it('splits a multi-byte character across chunks without damage', () => {
    const frame = JSON.stringify({ jsonrpc: '2.0', method: 'é€😀' });
    const bytes = Buffer.from(framing.encode(frame));
    const inside = bytes.indexOf(Buffer.from('😀')) + 2;
    expect(decodeAll(framing, [bytes.subarray(0, inside), bytes.subarray(inside)]).frames).toEqual([frame]);
  });

  it('gives back a frame of several MiB in small chunks, characters split anywhere', () => {
    const frame = JSON.stringify(['é😀x'.repeat(400_000)]);
    const bytes = Buffer.from(framing.encode(frame));
    const chunks = Array.from({ length: Math.ceil(bytes.length / 65_537) }, (_, i) =>
      bytes.subarray(i * 65_537, (i + 1) * 65_537),
    );
    expect(decodeAll(framing, chunks)).toEqual({ frames: [frame], errors: [] });
    expect(decodeAll(framing, [bytes])).toEqual({ frames: [frame], errors: [] });
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

  it('ends the stream at a frame over maxFrameSize, before reading its body (1009)', () => {
    const text = contentLength().encode('x'.repeat(50)) + contentLength().encode('{}');
    const { frames, errors } = decodeAll(contentLength({ maxFrameSize: 10 }), cut(Buffer.from(text), [5, 30, 60]));
    expect(frames).toEqual([]);
    expect(errors).toEqual([
      { message: 'Frame of 50 bytes refused: larger than maxFrameSize (10)', fatal: true, code: 1009 },
    ]);
  });
});

/** Each case decoded whole, a byte at a time, and cut at random (seeded) must give the same frames and errors. */
function everyChunking(framing: Framing, input: string, expected: ReturnType<typeof decodeAll>) {
  const bytes = Buffer.from(input);
  expect(decodeAll(framing, [bytes])).toEqual(expected);
  expect(
    decodeAll(
      framing,
      Array.from(bytes, (byte) => Buffer.from([byte])),
    ),
  ).toEqual(expected);
  fc.assert(
    fc.property(fc.array(fc.nat(), { maxLength: 30 }), (offsets) => {
      expect(decodeAll(framing, cut(bytes, offsets))).toEqual(expected);
    }),
    { seed, numRuns: 50, endOnFailure: true },
  );
}

const ping = '{"jsonrpc":"2.0","method":"ping"}';
const bad = (message: string) => ({ message: `Bad header: ${message}`, fatal: false });

describe('contentLength on bad input', () => {
  const framing = contentLength();
  const then = framing.encode(ping);

  it.each([
    ['an empty header block', '\r\n\r\n', [bad('no Content-Length in ""')]],
    ['many empty header blocks', '\r\n\r\n'.repeat(100), [bad('no Content-Length in ""')]],
    ['headers without Content-Length', 'Content-Type: x\r\n\r\n', [bad('no Content-Length in "Content-Type: x"')]],
    ['a negative length', 'Content-Length: -1\r\n\r\n', [bad('Content-Length "-1" is not a number')]],
    ['an exponent', 'Content-Length: 1e3\r\n\r\n', [bad('Content-Length "1e3" is not a number')]],
    ['an empty length', 'Content-Length:\r\n\r\n', [bad('Content-Length "" is not a number')]],
    [
      'two different lengths',
      'Content-Length: 2\r\ncontent-length: 3\r\n\r\n{}',
      [bad('conflicting Content-Length values "2", "3"')],
    ],
  ])('reports %s, skips to the next Content-Length, and reads that frame', (_, input, errors) => {
    everyChunking(framing, input + then, { frames: [ping], errors });
  });

  it('reports a header block over maxHeaderSize and resynchronises after it', () => {
    const input = `X-Long: ${'y'.repeat(200)}\r\n\r\n` + then;
    everyChunking(contentLength({ maxHeaderSize: 100 }), input, {
      frames: [ping],
      errors: [bad('no blank line within 100 bytes')],
    });
  });

  it('reads a header block of exactly maxHeaderSize bytes', () => {
    const header = `Content-Length: 2\r\nX: ${'y'.repeat(74)}\r\n\r\n`;
    expect(Buffer.byteLength(header)).toBe(100);
    everyChunking(contentLength({ maxHeaderSize: 100 }), header + '{}', { frames: ['{}'], errors: [] });
  });

  it.each([
    ['99999999999999999999', 'Frame of 99999999999999999999 bytes refused: larger than maxFrameSize (67108864)'],
    ['9'.repeat(40), 'Frame of 99999999999999999999... (40 digits) bytes refused: larger than maxFrameSize (67108864)'],
    ['67108865', 'Frame of 67108865 bytes refused: larger than maxFrameSize (67108864)'],
  ])('ends the stream on a Content-Length of %s (1009) and reads nothing after', (length, message) => {
    everyChunking(framing, `Content-Length: ${length}\r\n\r\n` + then, {
      frames: [],
      errors: [{ message, fatal: true, code: 1009 }],
    });
  });

  it('reads leading zeros, a repeated equal length, and an empty frame', () => {
    const input =
      'Content-Length: 0002\r\n\r\n{}Content-Length: 2\r\nContent-Length: 2\r\n\r\n[]Content-Length: 0\r\n\r\n';
    everyChunking(framing, input, { frames: ['{}', '[]', ''], errors: [] });
  });

  it('ends the stream on a header block over maxHeaderSize when told to close', () => {
    everyChunking(contentLength({ onBadHeader: 'close', maxHeaderSize: 64 }), 'z'.repeat(100) + then, {
      frames: [],
      errors: [{ message: 'Bad header: no blank line within 64 bytes', fatal: true }],
    });
  });

  it('keeps resynchronising across garbage that holds no header', () => {
    everyChunking(framing, 'Oops\r\n\r\n garbage content-length content-Length ' + then, {
      frames: [ping],
      errors: [bad('no Content-Length in "Oops"')],
    });
  });
});

/** Byte soup made of what framings look for, so that headers, lengths and line ends collide often. */
const soup = fc
  .array(
    fc.oneof(
      fc.constantFrom('Content-Length: ', 'content-LENGTH:', '\r\n', '\r\n\r\n', '\n', '\r', ' ', '{}', 'é😀'),
      fc.nat({ max: 40 }).map(String),
      fc.constantFrom('99999999999999999999', '-1', '0'),
      fc.string({ maxLength: 8 }),
    ),
    { maxLength: 60 },
  )
  .map((parts) => Buffer.from(parts.join('')));

describe.each([
  ['content-length', contentLength({ maxHeaderSize: 48, maxFrameSize: 30 })],
  ['content-length, closing', contentLength({ onBadHeader: 'close', maxHeaderSize: 48 })],
  ['newline', newline({ maxLineSize: 20 })],
])('%s framing on any bytes', (_, framing) => {
  it('always finishes, and gives the same frames and errors however the bytes are cut (property)', () => {
    fc.assert(
      fc.property(soup, fc.array(fc.nat(), { maxLength: 20 }), (bytes, offsets) => {
        const whole = decodeAll(framing, [bytes]);
        expect(decodeAll(framing, cut(bytes, offsets))).toEqual(whole);
        expect(
          decodeAll(
            framing,
            Array.from(bytes, (byte) => Buffer.from([byte])),
          ),
        ).toEqual(whole);
      }),
      { seed, numRuns: Number(process.env.FUZZ_RUNS ?? 300) },
    );
  });
});

describe('newline on bad input', () => {
  it('reports a line over maxLineSize, drops it to its newline, and reads the next', () => {
    everyChunking(newline({ maxLineSize: 10 }), `${'x'.repeat(25)}\n{"a":1}\r\n${'y'.repeat(11)}\n\n[]\n`, {
      frames: ['{"a":1}', '[]'],
      errors: [
        { message: 'Line dropped: longer than maxLineSize (10 bytes)', fatal: false },
        { message: 'Line dropped: longer than maxLineSize (10 bytes)', fatal: false },
      ],
    });
  });

  it('reads a line of exactly maxLineSize bytes, its newline excluded', () => {
    everyChunking(newline({ maxLineSize: 10 }), '"12345678"\n"1234567"\r\n', {
      frames: ['"12345678"', '"1234567"'],
      errors: [],
    });
  });

  it('keeps carriage returns that do not end the line, and skips lines of spaces, tabs and CRs', () => {
    everyChunking(newline(), ' \t\r\r\n"a\rb"\r\r\n\r\n', { frames: ['"a\rb"\r'], errors: [] });
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
