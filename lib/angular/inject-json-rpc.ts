import { inject } from '@angular/core';
import type { RpcApi, UntypedApi } from '../peer/api';
import type { Peer } from '../peer/peer';
import { jsonRpcToken, type JsonRpcToken } from './tokens';

/**
 * Injects the peer of a connection made by `provideJsonRpc()`: the default one, the one
 * called `connection`, or the one of a token from `jsonRpcToken()` (whose API then types
 * the peer). Call it where `inject()` works: a field initialiser, a constructor, a
 * provider's factory, or inside `runInInjectionContext()`. The first injection makes the
 * peer and starts connecting; later ones get the same peer.
 *
 * Throws Angular's "No provider" error (NG0201) when no `provideJsonRpc()` made that
 * connection in this injector or an ancestor.
 *
 * @example
 * ```ts
 * @Injectable({ providedIn: 'root' })
 * export class Quotes {
 *   private readonly rpc = injectJsonRpc<QuotesApi>('prices');
 *   readonly ticks$ = this.rpc.notifications$('price.tick');
 *   quote$(symbol: string) {
 *     return this.rpc.request$('price.quote', { symbol });
 *   }
 * }
 * ```
 */
export function injectJsonRpc<Api extends RpcApi = UntypedApi>(connection?: string | JsonRpcToken<Api>): Peer<Api> {
  return inject(typeof connection === 'object' ? connection : jsonRpcToken<Api>(connection));
}
