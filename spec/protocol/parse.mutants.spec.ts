// Edge cases of the protocol helpers that the mirrored specs left open: a call without a version,
// describing a response with a null id, plain prototypes, excerpts of values too deep to show, and
// the message of any failure. (Written to kill mutants of parse.ts, guards.ts and errors.ts; see
// docs/mutation.md.)
import { messageOf } from '../../lib/protocol/errors';
import { hasPlainPrototype } from '../../lib/protocol/guards';
import { classify, describeInvalid, previewValue } from '../../lib/protocol/parse';

describe('classify', () => {
  it('calls a call without "jsonrpc": "2.0" invalid, with or without an id', () => {
    expect(classify({ method: 'm' })).toBe('invalid');
    expect(classify({ jsonrpc: '1.0', method: 'm' })).toBe('invalid');
    expect(classify({ method: 'm', id: 1 })).toBe('invalid');
  });
});

describe('describeInvalid', () => {
  it('asks for a result or an error from a response with a null id and neither', () => {
    expect(describeInvalid({ jsonrpc: '2.0', id: null })).toBe('a response needs "result" or "error"');
  });

  it('asks for a non-null id from a successful response', () => {
    expect(describeInvalid({ jsonrpc: '2.0', id: null, result: 1 })).toBe(
      'a successful response needs a non-null "id"',
    );
  });
});

describe('previewValue', () => {
  it('says so, without throwing, for a value too deeply nested to serialise', () => {
    let deep: unknown = 1;
    for (let n = 0; n < 100_000; n++) deep = [deep];
    expect(previewValue(deep)).toBe('(too deeply nested to show)');
  });

  it('shows values JSON cannot, as text', () => {
    expect(previewValue(undefined)).toBe('undefined');
  });
});

describe('hasPlainPrototype', () => {
  it('is true for objects made by {} or Object.create(null)', () => {
    expect(hasPlainPrototype({})).toBe(true);
    expect(hasPlainPrototype(Object.create(null))).toBe(true);
  });

  it('is false for null, non-objects, arrays and class instances, without throwing', () => {
    expect([null, undefined, 1, 'x', [], new Date(), new Map()].map(hasPlainPrototype)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});

describe('messageOf', () => {
  it('reads the message of an error or of anything that has a string message', () => {
    expect(messageOf(new Error('boom'))).toBe('boom');
    expect(messageOf({ message: 'plain object' })).toBe('plain object');
  });

  it('gives the value as text when there is no string message, null and undefined included', () => {
    expect(messageOf({ message: 5 })).toBe('[object Object]');
    expect(messageOf('text')).toBe('text');
    expect(messageOf(null)).toBe('null');
    expect(messageOf(undefined)).toBe('undefined');
  });
});
