// What the error classes say about the call they fail and the close they report, built
// directly as a handler, a transport or a test double builds them.
import { ConnectionClosedError, JsonRpcError, RequestTimeoutError, TransportError } from 'rx-jsonrpc';

describe('JsonRpcError', () => {
  describe('of a call', () => {
    const error = new JsonRpcError(-32601, 'Method not found', { hint: 'x' }, { method: 'math.max', id: 6 });

    it('names the call in its message, the code after the message as sent', () => {
      expect(error.message).toBe('Request 6 (math.max) failed: Method not found (-32601)');
      expect(error).toMatchObject({ method: 'math.max', id: 6, code: -32601, remoteMessage: 'Method not found' });
    });

    it('gives the error object as sent in JSON, without the call', () => {
      expect(error.toJSON()).toEqual({ code: -32601, message: 'Method not found', data: { hint: 'x' } });
    });
  });

  describe('of no call', () => {
    const error = new JsonRpcError(404, 'No user 7');

    it('has the message as given, and no method or id of its own', () => {
      expect(error).toMatchObject({ message: 'No user 7', remoteMessage: 'No user 7' });
      expect(Object.keys(error)).not.toContain('method');
      expect(Object.keys(error)).not.toContain('id');
    });
  });
});

describe('TransportError', () => {
  it('carries the method and the id of the call it fails', () => {
    const error = new TransportError('Request 2 (a) failed: refused', { method: 'a', id: 2, status: 503 });
    expect(error).toMatchObject({ method: 'a', id: 2, status: 503 });
  });
});

describe('RequestTimeoutError', () => {
  it('carries the method and the id, and names them in its message', () => {
    expect(new RequestTimeoutError('7', 'report.slow', 300)).toMatchObject({
      message: 'Request 7 (report.slow) timed out after 300 ms',
      method: 'report.slow',
      id: '7',
      timeout: 300,
    });
  });
});

describe('ConnectionClosedError', () => {
  it('ends a message that shows a standard code with what the code means', () => {
    expect(new ConnectionClosedError('Connection to ws://x closed (1006)').message).toBe(
      'Connection to ws://x closed (1006): no close frame: the network dropped or the other side died',
    );
    expect(new ConnectionClosedError('Link closed (1013: busy)', { code: 1013 }).message).toBe(
      'Link closed (1013: busy): try again later',
    );
  });

  it('adds nothing to a message that does not show the code', () => {
    expect(new ConnectionClosedError('No answer to the heartbeat within 10 ms', { code: 1006 }).message).toBe(
      'No answer to the heartbeat within 10 ms',
    );
  });

  it('adds nothing for a code it inferred from how a stream ended, nor for 1000 or a code of the application', () => {
    const inferred = new ConnectionClosedError('pipe closed (1006: reset)', { code: 1006, inferred: true });
    expect(inferred.message).toBe('pipe closed (1006: reset)');
    expect(new ConnectionClosedError('closed (1000)', { code: 1000 }).message).toBe('closed (1000)');
    expect(new ConnectionClosedError('closed (4001)', { code: 4001 }).message).toBe('closed (4001)');
  });
});
