import { inject, Injector, runInInjectionContext, type ResourceRef } from '@angular/core';
import { rxResource } from '@angular/core/rxjs-interop';
import type { JsonRpcParams } from '../protocol/messages';
import { injectJsonRpc } from './inject-json-rpc';

/** The call a `jsonRpcResource()` makes: a method, and its params if it takes any. */
export interface JsonRpcResourceRequest {
  /** The method to call. */
  readonly method: string;
  /**
   * The call's params, by position (an array) or by name (an object).
   * @default none
   */
  readonly params?: JsonRpcParams;
}

/** Options of `jsonRpcResource()`. */
export interface JsonRpcResourceOptions {
  /**
   * The connection to call: the `name` given to `provideJsonRpc()`.
   * @default the default connection
   */
  readonly connection?: string;
  /**
   * The injector that provides the connection and owns the resource (destroying it stops
   * the resource and abandons its call).
   * @default the injector of the current injection context
   */
  readonly injector?: Injector;
}

/**
 * A call as an Angular resource, in the spirit of `httpResource()`: `request` is read in a
 * reactive context, and each time the signals it reads change, the call in flight is
 * abandoned (unsubscribed: the peer sends its cancel notification if its dialect has one)
 * and the new one is made. When `request` returns `undefined`, no call is made and the
 * resource is `idle`. The result shows in `value()`; a failure (a `JsonRpcError`, a
 * `RequestTimeoutError`, ...) in `error()` with `status()` `'error'`; `reload()` calls again.
 * Built on `rxResource()` of `@angular/core/rxjs-interop` (Angular 20 or later). Call it
 * where `inject()` works, or pass `injector`.
 *
 * @example
 * ```ts
 * import { Component, input } from '@angular/core';
 * import { jsonRpcResource } from 'rx-jsonrpc/angular';
 *
 * @Component({ selector: 'app-quote', template: '{{ quote.value() }}' })
 * export class QuoteComponent {
 *   readonly symbol = input<string>();
 *   readonly quote = jsonRpcResource<number>(() => {
 *     const symbol = this.symbol();
 *     return symbol === undefined ? undefined : { method: 'price.quote', params: { symbol } };
 *   });
 * }
 * ```
 */
export function jsonRpcResource<T = unknown>(
  request: () => JsonRpcResourceRequest | undefined,
  options: JsonRpcResourceOptions = {},
): ResourceRef<T | undefined> {
  const injector = options.injector ?? inject(Injector);
  // Made (and connecting) now, as injecting the peer anywhere makes it.
  const peer = runInInjectionContext(injector, () => injectJsonRpc(options.connection));
  return rxResource<T | undefined, JsonRpcResourceRequest | undefined>({
    params: request,
    // rxResource unsubscribes the previous call when the params change, on reload() and on destroy.
    stream: ({ params }) => peer.request$<T>(params.method, params.params),
    injector,
  });
}
