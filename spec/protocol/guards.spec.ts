// The message guards, as `rx-jsonrpc/protocol` exports them.
import {
  classify,
  isErrorObject,
  isFailure,
  isJsonRpcId,
  isJsonRpcParams,
  isNotification,
  isRequest,
  isResponse,
  isSuccess,
} from 'rx-jsonrpc/protocol';

describe('the guards and classify', () => {
  /** Each guard, with a message it accepts given as an object made by `{}`. */
  const guards: [string, (value: unknown) => boolean, object][] = [
    ['isRequest', isRequest, { jsonrpc: '2.0', id: 1, method: 'sum' }],
    ['isNotification', isNotification, { jsonrpc: '2.0', method: 'log' }],
    ['isSuccess', isSuccess, { jsonrpc: '2.0', id: 1, result: 3 }],
    ['isFailure', isFailure, { jsonrpc: '2.0', id: 1, error: { code: 1, message: 'x' } }],
    ['isResponse', isResponse, { jsonrpc: '2.0', id: 1, result: 3 }],
    ['isErrorObject', isErrorObject, { code: 1, message: 'x' }],
    ['classify', (value) => classify(value) !== 'invalid', { jsonrpc: '2.0', id: 1, method: 'sum' }],
  ];

  it.each(guards)('%s reads a message from an object made by Object.create(null) too', (_, guard, message) => {
    expect(guard(message)).toBe(true);
    expect(guard(Object.assign(Object.create(null) as object, message))).toBe(true);
  });

  it.each(guards)('%s refuses an array, whatever members it carries', (_, guard, message) => {
    expect(guard(Object.assign([], message))).toBe(false);
  });

  it.each(guards)('%s refuses what is not an object', (_, guard, message) => {
    for (const value of [null, undefined, JSON.stringify(message), 1, true]) expect(guard(value)).toBe(false);
  });
});

describe('isJsonRpcId', () => {
  it.each([[1], [0], [-7], [1.5], [''], ['1'], ['abc']])('accepts %p', (value) => {
    expect(isJsonRpcId(value)).toBe(true);
  });

  it.each([[null], [undefined], [NaN], [Infinity], [-Infinity], [true], [{}], [[1]], [10n]])('rejects %p', (value) => {
    expect(isJsonRpcId(value)).toBe(false);
  });
});

describe('isJsonRpcParams', () => {
  it.each([[[]], [[1, 'a']], [{}], [{ x: 1 }]])('accepts %p', (value) => {
    expect(isJsonRpcParams(value)).toBe(true);
  });

  it.each([[null], [undefined], [1], ['[1]'], [true]])('rejects %p', (value) => {
    expect(isJsonRpcParams(value)).toBe(false);
  });
});

describe('isRequest', () => {
  it.each([
    [{ jsonrpc: '2.0', id: 1, method: 'sum' }],
    [{ jsonrpc: '2.0', id: 'a', method: 'sum', params: [1, 2] }],
    [{ jsonrpc: '2.0', id: 0, method: 'sum', params: { x: 1 } }],
    [{ jsonrpc: '2.0', id: null, method: 'sum' }],
    [{ jsonrpc: '2.0', id: 1, method: '' }],
  ])('accepts %j', (value) => {
    expect(isRequest(value)).toBe(true);
  });

  describe('when the message is not a request', () => {
    it.each([
      ['a notification (no id)', { jsonrpc: '2.0', method: 'sum' }],
      ['a wrong version', { jsonrpc: '1.0', id: 1, method: 'sum' }],
      ['no version', { id: 1, method: 'sum' }],
      ['a method that is not a string', { jsonrpc: '2.0', id: 1, method: 5 }],
      ['scalar params', { jsonrpc: '2.0', id: 1, method: 'sum', params: 3 }],
      ['null params', { jsonrpc: '2.0', id: 1, method: 'sum', params: null }],
      ['an object id', { jsonrpc: '2.0', id: {}, method: 'sum' }],
      ['a boolean id', { jsonrpc: '2.0', id: true, method: 'sum' }],
      ['a response', { jsonrpc: '2.0', id: 1, result: 3 }],
      ['an array', [{ jsonrpc: '2.0', id: 1, method: 'sum' }]],
      ['null', null],
    ])('rejects %s', (_, value) => {
      expect(isRequest(value)).toBe(false);
    });
  });
});

describe('isNotification', () => {
  it.each([
    [{ jsonrpc: '2.0', method: 'log' }],
    [{ jsonrpc: '2.0', method: 'log', params: ['hi'] }],
    [{ jsonrpc: '2.0', method: 'log', params: { text: 'hi' } }],
  ])('accepts %j', (value) => {
    expect(isNotification(value)).toBe(true);
  });

  describe('when the message is not a notification', () => {
    it.each([
      ['a request', { jsonrpc: '2.0', id: 1, method: 'log' }],
      ['a request with a null id', { jsonrpc: '2.0', id: null, method: 'log' }],
      ['a wrong version', { jsonrpc: '2', method: 'log' }],
      ['a method that is not a string', { jsonrpc: '2.0', method: ['log'] }],
      ['scalar params', { jsonrpc: '2.0', method: 'log', params: 'hi' }],
      ['a string', '{"jsonrpc":"2.0","method":"log"}'],
    ])('rejects %s', (_, value) => {
      expect(isNotification(value)).toBe(false);
    });
  });
});

describe('isErrorObject', () => {
  it.each([[{ code: -32600, message: 'Invalid Request' }], [{ code: 0, message: '', data: { why: 1 } }]])(
    'accepts %j',
    (value) => {
      expect(isErrorObject(value)).toBe(true);
    },
  );

  it.each([
    ['a fractional code', { code: 1.5, message: 'x' }],
    ['a string code', { code: '-32600', message: 'x' }],
    ['no message', { code: -32600 }],
    ['a message that is not a string', { code: -32600, message: 7 }],
    ['null', null],
    ['an array', [-32600, 'x']],
  ])('rejects %s', (_, value) => {
    expect(isErrorObject(value)).toBe(false);
  });
});

describe('isSuccess', () => {
  it.each([
    [{ jsonrpc: '2.0', id: 1, result: 3 }],
    [{ jsonrpc: '2.0', id: '1', result: null }],
    [{ jsonrpc: '2.0', id: 0, result: undefined }],
  ])('accepts %j', (value) => {
    expect(isSuccess(value)).toBe(true);
  });

  it.each([
    ['a null id', { jsonrpc: '2.0', id: null, result: 3 }],
    ['no id', { jsonrpc: '2.0', result: 3 }],
    ['no result', { jsonrpc: '2.0', id: 1 }],
    ['both result and error', { jsonrpc: '2.0', id: 1, result: 3, error: { code: 1, message: 'x' } }],
    ['a wrong version', { jsonrpc: '2.1', id: 1, result: 3 }],
    ['an error response', { jsonrpc: '2.0', id: 1, error: { code: 1, message: 'x' } }],
  ])('rejects %s', (_, value) => {
    expect(isSuccess(value)).toBe(false);
  });
});

describe('isFailure', () => {
  it.each([
    [{ jsonrpc: '2.0', id: 1, error: { code: -32601, message: 'Method not found' } }],
    [{ jsonrpc: '2.0', id: 'x', error: { code: 7, message: 'no', data: [1] } }],
    [{ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } }],
  ])('accepts %j', (value) => {
    expect(isFailure(value)).toBe(true);
  });

  it.each([
    ['no id', { jsonrpc: '2.0', error: { code: 1, message: 'x' } }],
    ['an object id', { jsonrpc: '2.0', id: {}, error: { code: 1, message: 'x' } }],
    ['a malformed error object', { jsonrpc: '2.0', id: 1, error: { code: 'x', message: 'x' } }],
    ['a string error', { jsonrpc: '2.0', id: 1, error: 'failed' }],
    ['both result and error', { jsonrpc: '2.0', id: 1, result: 1, error: { code: 1, message: 'x' } }],
    ['no version', { id: 1, error: { code: 1, message: 'x' } }],
  ])('rejects %s', (_, value) => {
    expect(isFailure(value)).toBe(false);
  });
});

describe('isResponse', () => {
  it('accepts a successful response', () => {
    expect(isResponse({ jsonrpc: '2.0', id: 1, result: 'ok' })).toBe(true);
  });

  it('accepts an error response, with a null id too', () => {
    expect(isResponse({ jsonrpc: '2.0', id: 2, error: { code: 1, message: 'x' } })).toBe(true);
    expect(isResponse({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } })).toBe(true);
  });

  it.each([
    ['a request', { jsonrpc: '2.0', id: 1, method: 'sum' }],
    ['a notification', { jsonrpc: '2.0', method: 'sum' }],
    ['a batch', [{ jsonrpc: '2.0', id: 1, result: 'ok' }]],
    ['an empty object', {}],
  ])('rejects %s', (_, value) => {
    expect(isResponse(value)).toBe(false);
  });
});
