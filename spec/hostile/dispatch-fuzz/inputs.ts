// The frames the dispatcher fuzz sends: fast-check arbitraries, and the fixed hostile values they draw on.
import fc from 'fast-check';

/** One frame to send: text, bytes sent as a binary frame, or bytes sent as a text frame (invalid UTF-8). */
export class Input {
  constructor(
    readonly kind: 'text' | 'binary' | 'raw-text',
    readonly data: string | Uint8Array,
  ) {}

  /** How fast-check and failure messages show it: long frames are cut. */
  [fc.toStringMethod](): string {
    const text = typeof this.data === 'string' ? this.data : Buffer.from(this.data).toString('hex');
    const shown = text.length > 300 ? `${text.slice(0, 150)}…(${text.length} chars)…${text.slice(-150)}` : text;
    return `${this.kind}(${JSON.stringify(shown)})`;
  }
}

// --- Inputs: JSON fragments assembled as text, so that numbers and keys arrive exactly as written.

export const str = (value: string) => JSON.stringify(value);
export const nest = (depth: number, open: string, inner: string, close: string) =>
  open.repeat(depth) + inner + close.repeat(depth);
const exoticNames = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'then', 'prototype'];
const json = fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value));
const hugeNumber = fc.constantFrom('1e400', '-1e400', '123456789012345678901234567890', '4.9e-400', '-0', '1.0');
const wrongType = fc.constantFrom('null', 'true', 'false', '{}', '[]', '[1]', '{"__proto__":1}', '""');
const longString = fc.integer({ min: 1_000, max: 300_000 }).map((length) => str('x'.repeat(length)));

const id = fc.oneof(
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc.string({ maxLength: 12 }).map(str),
  fc.constantFrom(...exoticNames).map(str),
  hugeNumber,
  wrongType,
  longString,
);
const handlers = ['ping', 'echo', 'throw', 'reject', 'observe', 'later', 'notice'];
const method = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...handlers).map(str) },
  fc.constantFrom(...exoticNames, 'missing', 'rpc.discover', '$/cancelRequest', '', 'ping ').map(str),
  fc.oneof(hugeNumber, wrongType, longString),
);
/** What makes the handlers of targets/dispatch-serve.ts reject with a value that is hard to describe. */
export const rejections = [
  'null-prototype',
  'to-string-not-a-function',
  'revoked-proxy',
  'throwing-getter',
  'symbol',
  'bigint',
  'undefined',
];
const deep = fc.integer({ min: 1, max: 10_000 });
const params = fc.oneof(
  { weight: 3, arbitrary: json },
  fc.constantFrom(...rejections).map((name) => `[${str(name)}]`),
  fc.constantFrom(...exoticNames).map((name) => `{${str(name)}:{"toString":1,"valueOf":null}}`),
  fc.constantFrom('{"toString":1}', '{"message":1,"stack":{}}', '[1e400]', '["\\ud800"]', '[[]]', '[5]', '[50]'),
  deep.map((depth) => nest(depth, '[', '', ']')),
  deep.map((depth) => nest(depth, '{"a":', '1', '}')),
  longString.map((text) => `[${text}]`),
  fc.oneof(hugeNumber, wrongType),
);
const version = fc.oneof(
  { weight: 8, arbitrary: fc.constant('"2.0"') },
  fc.constantFrom('"1.0"', '2', '2.0', 'null', '"2.0 "', '["2.0"]'),
);
const errorObject = fc.oneof(
  fc
    .tuple(fc.oneof(fc.integer().map(String), hugeNumber, wrongType, fc.constant('1.5')), json)
    .map(([code, message]) => `{"code":${code},"message":${message}}`),
  json,
);
/** A message as fields that may each be left out, so that every mix of missing and mutated fields occurs. */
const message = fc
  .record(
    {
      jsonrpc: version,
      id,
      method,
      params,
      result: json,
      error: errorObject,
      extra: fc.constantFrom(...exoticNames).map((name) => `${str(name)}:{}`),
    },
    { requiredKeys: [] },
  )
  .map((fields) =>
    Object.entries(fields)
      .map(([key, value]) => (key === 'extra' ? value : `${str(key)}:${value}`))
      .join(','),
  )
  .map((body) => `{${body}}`);
/** A well-formed call of one of the handlers (a notification when it has no id), so that handlers actually run. */
const callWith = (withParams: fc.Arbitrary<string>) =>
  fc
    .tuple(fc.constantFrom(...handlers), fc.option(fc.integer({ min: -5, max: 20 })), withParams)
    .map(([name, n, p]) => `{"jsonrpc":"2.0",${n === null ? '' : `"id":${n},`}"method":${str(name)},"params":${p}}`);
const call = callWith(params);
const smallCall = callWith(fc.constantFrom('[]', '[1]', '{"a":1}', '[5]', '["undefined"]'));
const anyMessage = fc.oneof({ weight: 2, arbitrary: call }, { weight: 2, arbitrary: message }, json);
const batch = fc.oneof(
  { weight: 4, arbitrary: fc.array(anyMessage, { maxLength: 8 }).map((members) => `[${members.join(',')}]`) },
  fc
    .tuple(fc.constantFrom(0, 1, 999, 1_000, 1_001, 5_000), smallCall)
    .map(([size, member]) => `[${new Array<string>(size).fill(member).join(',')}]`),
);
const text = fc.oneof(
  { weight: 4, arbitrary: anyMessage },
  { weight: 2, arbitrary: batch },
  fc.tuple(anyMessage, fc.nat()).map(([whole, cut]) => whole.slice(0, cut % (whole.length + 1))),
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.constantFrom('', ' ', '[', '{', '{"jsonrpc":', '[1,]', 'NaN', 'undefined', '\u0000', '\ufeff{}', '"'),
  fc.constant('[' + str('x'.repeat(1_048_576)) + ']'),
);
const invalidUtf8 = fc.constantFrom([0xff], [0xc3, 0x28], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0x7b, 0xf8, 0x7d]);
export const input: fc.Arbitrary<Input> = fc.oneof(
  { weight: 16, arbitrary: text.map((t) => new Input('text', t)) },
  text.map((t) => new Input('binary', Buffer.from(t))),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => new Input('binary', bytes)),
  invalidUtf8.map((bytes) => new Input('binary', Uint8Array.from(bytes))),
  invalidUtf8.map((bytes) => new Input('raw-text', Uint8Array.from(bytes))),
);
