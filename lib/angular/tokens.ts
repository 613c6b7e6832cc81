import { InjectionToken } from '@angular/core';
import type { RpcApi, UntypedApi } from '../peer/api';
import type { Peer } from '../peer/peer';

/**
 * The injection token of one connection's peer, typed by its API. Get it from
 * {@link jsonRpcToken}, which hands out one token per name, so that the provider and every
 * consumer naming the same connection meet on the same token.
 */
export type JsonRpcToken<Api extends RpcApi = UntypedApi> = InjectionToken<Peer<Api>>;

/** The name of the connection that `provideJsonRpc()` makes when it is given none. */
export const defaultConnection = 'default';

// Filled on first use, never at import time; one token per connection name.
const tokens = new Map<string, JsonRpcToken<RpcApi>>();

/**
 * The injection token of the peer of the connection called `name`, the default connection
 * when `name` is left out. Calling it again with the same name returns the same token, so
 * a typed constant is a good home for it: the API given here types what `inject()` returns.
 *
 * @example
 * ```ts
 * export const PRICES = jsonRpcToken<PricesApi>('prices');
 *
 * // app.config.ts
 * provideJsonRpc({ name: 'prices', transport: webSocket('wss://prices.example.org') });
 *
 * // a service
 * @Injectable({ providedIn: 'root' })
 * export class Prices {
 *   private readonly prices = inject(PRICES); // Peer<PricesApi>
 * }
 * ```
 */
export function jsonRpcToken<Api extends RpcApi = UntypedApi>(name: string = defaultConnection): JsonRpcToken<Api> {
  let token = tokens.get(name);
  if (token === undefined) {
    const label = name === defaultConnection ? '' : ` '${name}'`;
    token = new InjectionToken<Peer<RpcApi>>(`rx-jsonrpc peer${label} (add provideJsonRpc(...) to the providers)`);
    tokens.set(name, token);
  }
  return token;
}

/**
 * The injection token of the default connection's peer (the one `provideJsonRpc()` makes
 * without a `name`); the same token as `jsonRpcToken()`. `injectJsonRpc()` injects it.
 */
export const JSON_RPC: JsonRpcToken = /* @__PURE__ */ jsonRpcToken();
