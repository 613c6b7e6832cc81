import type { Interceptor } from '../peer/options';

/**
 * A feature of one connection, given to `provideJsonRpc(config, ...features)` as
 * `provideHttpClient()` takes its `with...()` features. Made by {@link withInterceptors}.
 */
export interface JsonRpcFeature {
  /** What kind of feature this is. */
  readonly kind: 'interceptors';
  /** The interceptors it adds, in order. */
  readonly interceptors: readonly Interceptor[];
}

/**
 * Interceptors for the calls of a connection made by `provideJsonRpc()`, the first one
 * outermost, after those of `options.interceptors`: Angular's `withInterceptors()` for
 * JSON-RPC. Each runs in the injection context of the injector that provides the
 * connection, so it may `inject()` (an auth service, a logger) when it is called, once per
 * call. The calls they see and what they may do: see `Interceptor` in `rx-jsonrpc`.
 *
 * @example
 * ```ts
 * import { inject, Injectable } from '@angular/core';
 * import { finalize } from 'rxjs';
 * import { webSocket, type Interceptor } from 'rx-jsonrpc';
 * import { provideJsonRpc, withInterceptors } from 'rx-jsonrpc/angular';
 *
 * @Injectable({ providedIn: 'root' })
 * export class Auth {
 *   token = '';
 * }
 *
 * // Adds the current token to the named params of every call but the login.
 * const auth: Interceptor = (call, next) =>
 *   call.method === 'auth.login' ? next(call) : next({ ...call, params: { ...call.params, token: inject(Auth).token } });
 * const timing: Interceptor = (call, next) => {
 *   const start = performance.now();
 *   return next(call).pipe(finalize(() => console.debug(call.method, performance.now() - start)));
 * };
 *
 * export const providers = [provideJsonRpc({ transport: webSocket('wss://api.example.org') }, withInterceptors([timing, auth]))];
 * ```
 */
export function withInterceptors(interceptors: readonly Interceptor[]): JsonRpcFeature {
  return { kind: 'interceptors', interceptors };
}
