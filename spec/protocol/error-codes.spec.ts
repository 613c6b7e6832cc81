import { ErrorCodes } from 'rx-jsonrpc';
import { errorMessages } from 'rx-jsonrpc/protocol';

describe('ErrorCodes', () => {
  it('holds the codes of the JSON-RPC 2.0 specification', () => {
    expect(ErrorCodes).toEqual({
      ParseError: -32700,
      InvalidRequest: -32600,
      MethodNotFound: -32601,
      InvalidParams: -32602,
      InternalError: -32603,
    });
  });

  it('stays inside the range the specification reserves (-32768 to -32000)', () => {
    for (const code of Object.values(ErrorCodes)) {
      expect(code).toBeGreaterThanOrEqual(-32768);
      expect(code).toBeLessThanOrEqual(-32000);
    }
  });

  it('stays out of the implementation-defined server error range (-32099 to -32000)', () => {
    for (const code of Object.values(ErrorCodes)) expect(code < -32099 || code > -32000).toBe(true);
  });
});

describe('errorMessages', () => {
  it.each([
    [ErrorCodes.ParseError, 'Parse error'],
    [ErrorCodes.InvalidRequest, 'Invalid Request'],
    [ErrorCodes.MethodNotFound, 'Method not found'],
    [ErrorCodes.InvalidParams, 'Invalid params'],
    [ErrorCodes.InternalError, 'Internal error'],
  ])('gives code %i the message "%s"', (code, message) => {
    expect(errorMessages[code]).toBe(message);
  });

  it('has a message for every code and nothing else', () => {
    expect(Object.keys(errorMessages).map(Number).sort()).toEqual(Object.values(ErrorCodes).sort());
  });

  it('has no message for a code outside the specification', () => {
    expect(errorMessages[-32000]).toBeUndefined();
    expect(errorMessages[404]).toBeUndefined();
  });
});
