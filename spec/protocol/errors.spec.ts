import {
  ConnectionClosedError,
  HandlerError,
  isRetryable,
  JsonRpcError,
  ProtocolError,
  RequestTimeoutError,
  RpcError,
  TransportError,
} from 'rx-jsonrpc';

describe('JsonRpcError', () => {
  it('is an RpcError and an Error named JsonRpcError', () => {
    const error = new JsonRpcError(-32601, 'Method not found');
    expect(error).toBeInstanceOf(JsonRpcError);
    expect(error).toBeInstanceOf(RpcError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('JsonRpcError');
    expect(String(error)).toBe('JsonRpcError: Method not found');
  });

  it('keeps the code, the message as sent and the data', () => {
    expect(new JsonRpcError(404, 'No user 7', { id: 7 })).toMatchObject({
      code: 404,
      message: 'No user 7',
      data: { id: 7 },
    });
  });

  it('is not retryable unless told so', () => {
    expect(new JsonRpcError(1, 'x').retryable).toBe(false);
    expect(new JsonRpcError(1, 'x', undefined, { retryable: true }).retryable).toBe(true);
  });

  it('keeps the cause it is given', () => {
    const cause = new Error('database down');
    expect(new JsonRpcError(-32000, 'Server error', undefined, { cause }).cause).toBe(cause);
  });

  it('has no cause when none is given', () => {
    expect('cause' in new JsonRpcError(1, 'x')).toBe(false);
  });

  describe('fromObject', () => {
    it('builds the error from a received error object', () => {
      const error = JsonRpcError.fromObject({ code: -32602, message: 'Invalid params', data: ['x'] });
      expect(error).toBeInstanceOf(JsonRpcError);
      expect(error).toMatchObject({ code: -32602, message: 'Invalid params', data: ['x'] });
    });

    it('leaves data undefined when the object has none', () => {
      expect(JsonRpcError.fromObject({ code: 1, message: 'x' }).data).toBeUndefined();
    });
  });

  describe('toJSON', () => {
    it('gives code, message and data', () => {
      expect(new JsonRpcError(7, 'nope', { why: 'because' }).toJSON()).toEqual({
        code: 7,
        message: 'nope',
        data: { why: 'because' },
      });
    });

    it('leaves out data when there is none', () => {
      const json = new JsonRpcError(7, 'nope').toJSON();
      expect(json).toEqual({ code: 7, message: 'nope' });
      expect('data' in json).toBe(false);
    });

    it('keeps data that is null or falsy', () => {
      expect(new JsonRpcError(7, 'nope', null).toJSON()).toEqual({ code: 7, message: 'nope', data: null });
      expect(new JsonRpcError(7, 'nope', 0).toJSON()).toEqual({ code: 7, message: 'nope', data: 0 });
    });

    it('never carries the stack, the name or the cause in JSON', () => {
      const error = new JsonRpcError(7, 'nope', undefined, { cause: new Error('secret') });
      expect(JSON.parse(JSON.stringify(error))).toEqual({ code: 7, message: 'nope' });
    });
  });
});

describe('TransportError', () => {
  it('is an RpcError named TransportError that keeps its message and cause', () => {
    const cause = new Error('ECONNREFUSED');
    const error = new TransportError('Could not connect to ws://127.0.0.1:1', { cause, retryable: true });
    expect(error).toBeInstanceOf(RpcError);
    expect(error).toMatchObject({ name: 'TransportError', message: 'Could not connect to ws://127.0.0.1:1', cause });
    expect(error.retryable).toBe(true);
  });

  it('is not retryable unless told so', () => {
    expect(new TransportError('x').retryable).toBe(false);
  });
});

describe('ConnectionClosedError', () => {
  it('is an RpcError named ConnectionClosedError carrying code and reason', () => {
    const error = new ConnectionClosedError('Connection closed (4000: bye)', { code: 4000, reason: 'bye' });
    expect(error).toBeInstanceOf(RpcError);
    expect(error).toMatchObject({
      name: 'ConnectionClosedError',
      message: 'Connection closed (4000: bye)',
      code: 4000,
      reason: 'bye',
    });
  });

  it('defaults to code 1006 and an empty reason', () => {
    expect(new ConnectionClosedError('gone')).toMatchObject({ code: 1006, reason: '' });
  });

  it('is retryable by default', () => {
    expect(new ConnectionClosedError('gone').retryable).toBe(true);
    expect(new ConnectionClosedError('gone', { code: 1000 }).retryable).toBe(true);
  });

  it('stays retryable when retryable is passed as undefined', () => {
    expect(new ConnectionClosedError('gone', { retryable: undefined }).retryable).toBe(true);
  });

  it('is not retryable when told so (the peer was closed for good)', () => {
    expect(new ConnectionClosedError('closed', { retryable: false }).retryable).toBe(false);
  });

  it('keeps the cause it is given', () => {
    const cause = new Error('socket hang up');
    expect(new ConnectionClosedError('gone', { cause }).cause).toBe(cause);
  });
});

describe('ProtocolError', () => {
  it('is an RpcError named ProtocolError, not retryable', () => {
    const error = new ProtocolError('Invalid JSON in frame: {');
    expect(error).toBeInstanceOf(RpcError);
    expect(error).toMatchObject({ name: 'ProtocolError', message: 'Invalid JSON in frame: {', retryable: false });
  });
});

describe('HandlerError', () => {
  it('is an RpcError named HandlerError that keeps the original failure as cause', () => {
    const cause = new TypeError('x is undefined');
    const error = new HandlerError('Handler for math.sum failed', { cause });
    expect(error).toBeInstanceOf(RpcError);
    expect(error).toMatchObject({ name: 'HandlerError', message: 'Handler for math.sum failed', cause });
  });
});

describe('RequestTimeoutError', () => {
  it('names the id, the method and the timeout in its message', () => {
    const error = new RequestTimeoutError(42, 'math.sum', 100);
    expect(error).toBeInstanceOf(RpcError);
    expect(error).toMatchObject({
      name: 'RequestTimeoutError',
      message: 'Request 42 (math.sum) timed out after 100 ms',
      id: 42,
      method: 'math.sum',
      timeout: 100,
      retryable: false,
    });
  });

  it('shows a string id as is', () => {
    expect(new RequestTimeoutError('a-1', 'ping', 5).message).toBe('Request a-1 (ping) timed out after 5 ms');
  });
});

describe('isRetryable', () => {
  it('is true for an RpcError marked retryable', () => {
    expect(isRetryable(new ConnectionClosedError('gone'))).toBe(true);
    expect(isRetryable(new TransportError('refused', { retryable: true }))).toBe(true);
  });

  it('is false for an RpcError not marked retryable', () => {
    expect(isRetryable(new JsonRpcError(-32601, 'Method not found'))).toBe(false);
    expect(isRetryable(new ProtocolError('bad frame'))).toBe(false);
    expect(isRetryable(new ConnectionClosedError('closed', { retryable: false }))).toBe(false);
  });

  it('is false for anything that is not an RpcError, even if it says retryable', () => {
    expect(isRetryable(Object.assign(new Error('x'), { retryable: true }))).toBe(false);
    expect(isRetryable({ retryable: true })).toBe(false);
    expect(isRetryable(undefined)).toBe(false);
    expect(isRetryable('error')).toBe(false);
  });
});
