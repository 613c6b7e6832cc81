// Property-based fuzzing of the parser and dispatcher: random and mutated frames (valid,
// truncated, deeply nested, huge numbers, odd Unicode) into a live peer.
// CI size: FUZZ_RUNS (default 2000); `npm run fuzz` runs 100 000.
import fc from 'fast-check';
import { config, Observable, Subject } from 'rxjs';
import { connect, type Frame, type Transport } from 'rx-jsonrpc';

const runs = Number(process.env.FUZZ_RUNS ?? 2_000);

/** A transport whose incoming frames the test pushes by hand, synchronously. */
function injector(): { transport: Transport; inject(frame: Frame): void; sent: string[] } {
  const frames = new Subject<Frame>();
  const sent: string[] = [];
  const transport: Transport = {
    connect: () =>
      new Observable((subscriber) => {
        subscriber.next({
          info: { transport: 'fuzz' },
          frames$: frames.asObservable(),
          send: (f) => void sent.push(f),
          close: () => undefined,
        });
      }),
  };
  return { transport, inject: (frame) => frames.next(frame), sent };
}

const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double(),
    fc.constantFrom(1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 0.1, -0),
    fc.string({ unit: 'grapheme' }),
    fc.constantFrom('__proto__', 'constructor', 'toString', '\u0000', '\ud83d', 'e\u0301', '\u202e'),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      fc.constantFrom('jsonrpc', 'id', 'method', 'params', 'result', 'error', 'code', 'message', 'data', '__proto__'),
      tie('value'),
      { maxKeys: 5 },
    ),
  ),
})).value;

const id = fc.oneof(
  fc.integer({ min: -2, max: 12 }),
  fc.constantFrom('1', '2', '__proto__', 'constructor'),
  fc.constant(null),
);
const message = fc.oneof(
  fc.record({ jsonrpc: fc.constant('2.0'), id, result: jsonValue }),
  fc.record({
    jsonrpc: fc.constant('2.0'),
    id,
    error: fc.record(
      { code: fc.oneof(fc.integer(), fc.double()), message: fc.string(), data: jsonValue },
      { requiredKeys: [] },
    ),
  }),
  fc.record(
    {
      jsonrpc: fc.constant('2.0'),
      id,
      method: fc.constantFrom('echo', 'slow', 'missing', '__proto__', '$/cancelRequest'),
      params: jsonValue,
    },
    { requiredKeys: ['jsonrpc', 'method'] },
  ),
  fc.record(
    {
      jsonrpc: fc.constantFrom('2.0', '1.0', 2),
      id: jsonValue,
      method: jsonValue,
      params: jsonValue,
      result: jsonValue,
    },
    { requiredKeys: [] },
  ),
  jsonValue,
);
const text = fc.oneof(
  message.map((m) => JSON.stringify(m)),
  fc.array(message, { maxLength: 6 }).map((batch) => JSON.stringify(batch)),
  fc
    .tuple(
      message.map((m) => JSON.stringify(m) ?? ''),
      fc.nat(),
    )
    .map(([json, cut]) => json.slice(0, cut % (json.length + 1))),
  fc.nat({ max: 20_000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth)),
  fc
    .nat({ max: 5_000 })
    .map((depth) => '{"jsonrpc":"2.0","id":1,"result":' + '['.repeat(depth) + ']'.repeat(depth) + '}'),
  fc.string({ unit: 'binary' }),
);
const frame: fc.Arbitrary<Frame> = fc.oneof(text, fc.uint8Array({ maxLength: 64 }));

describe('the dispatcher, fuzzed', () => {
  let unhandled: unknown[];
  beforeEach(() => {
    unhandled = [];
    config.onUnhandledError = (error) => unhandled.push(error);
  });
  afterEach(() => {
    config.onUnhandledError = null;
  });

  it('never throws, ends every call exactly once, and leaves nothing behind', () => {
    fc.assert(
      fc.property(fc.array(frame, { maxLength: 12 }), (frames) => {
        const link = injector();
        const peer = connect(link.transport, { timeout: 0, handlerConcurrency: 2 });
        peer.handle('echo', (params: unknown) => params);
        peer.handle('slow', () => new Promise(() => undefined));
        const endings = new Array<number>(8).fill(0);
        for (let i = 0; i < endings.length; i++) {
          peer.request$('call', [i]).subscribe({
            next: () => undefined,
            error: () => (endings[i] = endings[i]! + 1),
            complete: () => (endings[i] = endings[i]! + 1),
          });
        }
        for (const f of frames) expect(() => link.inject(f)).not.toThrow();
        peer.close();
        expect(endings.every((count) => count === 1)).toBe(true);
        expect(peer.pendingCount).toBe(0);
        expect(peer.answeringCount).toBe(0);
        expect(unhandled).toEqual([]);
      }),
      { numRuns: runs },
    );
  }, 120_000);
});
