import { inject, makeEnvironmentProviders, NgZone, type EnvironmentProviders } from '@angular/core';
import { JSON_RPC_BACKEND } from './backend';
import { TestingBackend } from './testing-backend';
import { JsonRpcTestingController } from './testing-controller';

/**
 * Providers for tests, in the style of `provideHttpClientTesting()`: every connection of
 * `provideJsonRpc()` in this injector (and its children) talks to the
 * `JsonRpcTestingController` instead of its transport, which is not opened (its factory is
 * not called). List it after `provideJsonRpc()`. The connections' options and interceptors
 * still apply: the controller sits where the server would. One option is laid over them: a
 * `cancel` notification of the controller's own, by which it knows the calls the app
 * abandons (`TestCall.cancelled`).
 *
 * @example
 * ```ts
 * import { TestBed } from '@angular/core/testing';
 * import { webSocket } from 'rx-jsonrpc';
 * import { provideJsonRpc, provideJsonRpcTesting } from 'rx-jsonrpc/angular';
 *
 * TestBed.configureTestingModule({
 *   providers: [provideJsonRpc({ transport: webSocket('wss://api.example.org') }), provideJsonRpcTesting()],
 * });
 * ```
 */
export function provideJsonRpcTesting(): EnvironmentProviders {
  return makeEnvironmentProviders([
    { provide: TestingBackend, useFactory: () => new TestingBackend(inject(NgZone, { optional: true })) },
    { provide: JsonRpcTestingController, useExisting: TestingBackend },
    {
      provide: JSON_RPC_BACKEND,
      useFactory: () => {
        const backend = inject(TestingBackend);
        return (connection: string) => backend.link(connection);
      },
    },
  ]);
}
