// decodeFrame, classify and describeInvalid, as `rx-jsonrpc/protocol` exports them. What the peer
// makes of an invalid message (answered or not, with which id) is in spec/peer/dispatch.
import { ProtocolError } from 'rx-jsonrpc';
import { classify, decodeFrame, describeInvalid } from 'rx-jsonrpc/protocol';

describe('decodeFrame', () => {
  /** The message of the ProtocolError decodeFrame throws for `frame`. */
  const messageFor = (frame: string): string => {
    try {
      decodeFrame(frame);
    } catch (error) {
      expect(error).toBeInstanceOf(ProtocolError);
      return (error as ProtocolError).message;
    }
    throw new Error(`decodeFrame took ${frame} for JSON`);
  };

  it('decodes a single message to an object', () => {
    expect(decodeFrame('{"jsonrpc":"2.0","id":1,"result":3}')).toEqual({ jsonrpc: '2.0', id: 1, result: 3 });
  });

  it('decodes a batch to an array', () => {
    expect(decodeFrame('[{"jsonrpc":"2.0","method":"a"},{"jsonrpc":"2.0","method":"b"}]')).toEqual([
      { jsonrpc: '2.0', method: 'a' },
      { jsonrpc: '2.0', method: 'b' },
    ]);
  });

  it('keeps 1 and "1" apart', () => {
    expect(decodeFrame('[{"id":1},{"id":"1"}]')).toEqual([{ id: 1 }, { id: '1' }]);
  });

  describe('when the frame is not JSON', () => {
    it('throws ProtocolError naming an excerpt of the frame, with the SyntaxError as cause', () => {
      let thrown: unknown;
      try {
        decodeFrame('{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]');
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ProtocolError);
      expect(thrown).toMatchObject({
        name: 'ProtocolError',
        message: 'Invalid JSON in frame: {"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]',
        retryable: false,
      });
      expect((thrown as ProtocolError).cause).toBeInstanceOf(SyntaxError);
    });

    it('throws for an empty frame', () => {
      expect(() => decodeFrame('')).toThrow(ProtocolError);
      expect(() => decodeFrame('')).toThrow(/^Invalid JSON in frame: $/);
    });

    it('shows a long frame cut short in the message, to 120 characters and an ellipsis', () => {
      expect(() => decodeFrame(`{${'a'.repeat(300)}`)).toThrow(`Invalid JSON in frame: {${'a'.repeat(119)}…`);
    });

    it('shows a frame of exactly 120 characters whole', () => {
      const frame = `{${'a'.repeat(119)}`;
      expect(messageFor(frame)).toBe(`Invalid JSON in frame: ${frame}`);
      expect(messageFor(`${frame}a`)).toBe(`Invalid JSON in frame: ${frame}…`);
    });

    it('shows the frame on one line, each run of whitespace, newlines included, as one space', () => {
      expect(messageFor('{\n  "a":\t1,\r\n}')).toBe('Invalid JSON in frame: { "a": 1, }');
    });
  });
});

describe('classify', () => {
  it.each([
    ['request', { jsonrpc: '2.0', id: 1, method: 'sum', params: [1, 2] }],
    ['request', { jsonrpc: '2.0', id: 'abc', method: 'sum' }],
    ['request', { jsonrpc: '2.0', id: null, method: 'sum' }],
    ['notification', { jsonrpc: '2.0', method: 'update', params: { x: 1 } }],
    ['notification', { jsonrpc: '2.0', method: 'update' }],
    ['response', { jsonrpc: '2.0', id: 1, result: 19 }],
    ['response', { jsonrpc: '2.0', id: '1', result: null }],
    ['response', { jsonrpc: '2.0', id: 1, error: { code: -32601, message: 'Method not found' } }],
    ['response', { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } }],
  ])('calls %s %j', (kind, value) => {
    expect(classify(value)).toBe(kind);
  });

  describe('when the message is invalid', () => {
    it.each([
      ['a number', 1],
      ['a string', 'foo'],
      ['null', null],
      ['an array', [{ jsonrpc: '2.0', method: 'a' }]],
      ['a message without version', { id: 1, method: 'sum' }],
      ['a message with version 1.0', { jsonrpc: '1.0', id: 1, method: 'sum' }],
      ['a call with a method that is not a string', { jsonrpc: '2.0', method: 1, params: 'bar' }],
      ['a call with scalar params', { jsonrpc: '2.0', id: 1, method: 'sum', params: 'bar' }],
      ['a notification with scalar params', { jsonrpc: '2.0', method: 'sum', params: 42 }],
      ['a request with an object id', { jsonrpc: '2.0', id: { n: 1 }, method: 'sum' }],
      ['a success with a null id', { jsonrpc: '2.0', id: null, result: 1 }],
      ['a response with both result and error', { jsonrpc: '2.0', id: 1, result: 1, error: { code: 1, message: 'x' } }],
      ['a response with neither result nor error', { jsonrpc: '2.0', id: 1 }],
      ['a response with a malformed error', { jsonrpc: '2.0', id: 1, error: { message: 'x' } }],
      ['an empty object', {}],
    ])('calls %s invalid', (_, value) => {
      expect(classify(value)).toBe('invalid');
    });

    it('calls a call without "jsonrpc": "2.0" invalid, with or without an id', () => {
      expect(classify({ method: 'm' })).toBe('invalid');
      expect(classify({ jsonrpc: '1.0', method: 'm' })).toBe('invalid');
      expect(classify({ method: 'm', id: 1 })).toBe('invalid');
    });
  });
});

describe('describeInvalid', () => {
  describe('when the value is not an object', () => {
    it.each([
      [1, 'expected a JSON-RPC message object, got number 1'],
      ['foo', 'expected a JSON-RPC message object, got string "foo"'],
      [null, 'expected a JSON-RPC message object, got null'],
      [true, 'expected a JSON-RPC message object, got boolean true'],
      [[1, 2], 'expected a JSON-RPC message object, got an array'],
      [undefined, 'expected a JSON-RPC message object, got nothing'],
    ])('describes %p', (value, description) => {
      expect(describeInvalid(value)).toBe(description);
    });
  });

  describe('when the version is wrong', () => {
    it.each([
      [{ method: 'a' }, '"jsonrpc" must be "2.0", got nothing'],
      [{ jsonrpc: '1.0', method: 'a' }, '"jsonrpc" must be "2.0", got string "1.0"'],
      [{ jsonrpc: 2, method: 'a' }, '"jsonrpc" must be "2.0", got number 2'],
    ])('describes %j', (value, description) => {
      expect(describeInvalid(value)).toBe(description);
    });
  });

  describe('when a call is malformed', () => {
    it.each([
      [{ jsonrpc: '2.0', method: 1, params: 'bar' }, '"method" must be a string, got number 1'],
      [{ jsonrpc: '2.0', method: null }, '"method" must be a string, got null'],
      [{ jsonrpc: '2.0', method: 'sum', params: 'bar' }, '"params" must be an array or an object, got string "bar"'],
      [{ jsonrpc: '2.0', method: 'sum', params: null }, '"params" must be an array or an object, got null'],
      [{ jsonrpc: '2.0', method: 'sum', id: { n: 1 } }, '"id" must be a string, a number or null, got an object'],
      [{ jsonrpc: '2.0', method: 'sum', id: [1] }, '"id" must be a string, a number or null, got an array'],
      [{ jsonrpc: '2.0', method: 'sum', id: false }, '"id" must be a string, a number or null, got boolean false'],
    ])('describes %j', (value, description) => {
      expect(describeInvalid(value)).toBe(description);
    });
  });

  describe('when a response is malformed', () => {
    it.each([
      [{ jsonrpc: '2.0' }, 'a message needs "method" (a call) or "id" (a response)'],
      [{ jsonrpc: '2.0', result: 1 }, 'a message needs "method" (a call) or "id" (a response)'],
      [{ jsonrpc: '2.0', id: true, result: 1 }, '"id" must be a string or a number, got boolean true'],
      [
        { jsonrpc: '2.0', id: 1, result: 1, error: { code: 1, message: 'x' } },
        'a response must not have both "result" and "error"',
      ],
      [
        { jsonrpc: '2.0', id: 1, error: { code: 'E1', message: 'x' } },
        '"error" must be an object with an integer "code" and a string "message"',
      ],
      [
        { jsonrpc: '2.0', id: 1, error: 'failed' },
        '"error" must be an object with an integer "code" and a string "message"',
      ],
      [{ jsonrpc: '2.0', id: null, result: 1 }, 'a successful response needs a non-null "id"'],
      [{ jsonrpc: '2.0', id: 1 }, 'a response needs "result" or "error"'],
    ])('describes %j', (value, description) => {
      expect(describeInvalid(value)).toBe(description);
    });

    it('asks for a result or an error from a response with a null id and neither', () => {
      expect(describeInvalid({ jsonrpc: '2.0', id: null })).toBe('a response needs "result" or "error"');
    });
  });

  it('describes every message classify() calls invalid with a non-empty reason', () => {
    const invalid: unknown[] = [
      {},
      { jsonrpc: '2.0', id: 1 },
      { jsonrpc: '2.0', id: null, result: 1 },
      { jsonrpc: '2.0', method: 'x', params: 1 },
      { jsonrpc: '2.0', method: 'x', id: {} },
    ];
    for (const value of invalid) {
      expect(classify(value)).toBe('invalid');
      expect(describeInvalid(value)).toMatch(/\S/);
    }
  });
});
