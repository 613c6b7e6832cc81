import { InjectionToken } from '@angular/core';
import { defaultConnection, JSON_RPC, jsonRpcToken } from 'rx-jsonrpc/angular';

describe('jsonRpcToken', () => {
  it('returns one InjectionToken per connection name', () => {
    expect(jsonRpcToken('prices')).toBeInstanceOf(InjectionToken);
    expect(jsonRpcToken('prices')).toBe(jsonRpcToken('prices'));
    expect(jsonRpcToken('prices')).not.toBe(jsonRpcToken('chat'));
  });

  it('returns JSON_RPC for the default connection', () => {
    expect(jsonRpcToken()).toBe(JSON_RPC);
    expect(jsonRpcToken(defaultConnection)).toBe(JSON_RPC);
  });

  it('names the connection and the missing provider in its description', () => {
    expect(String(jsonRpcToken('prices'))).toBe(
      "InjectionToken rx-jsonrpc peer 'prices' (add provideJsonRpc(...) to the providers)",
    );
    expect(String(JSON_RPC)).toBe('InjectionToken rx-jsonrpc peer (add provideJsonRpc(...) to the providers)');
  });
});
