import { Injectable } from '@angular/core';
import { filter, map, scan, switchMap, type Observable } from 'rxjs';
import type { PeerState } from 'rx-jsonrpc';
import { injectJsonRpc } from 'rx-jsonrpc/angular';
import type { Order, OrderResult, ServerInfo, ShopApi, Tick } from './api';

/**
 * The shop's server, as the components see it: cold calls and hot streams over the peer
 * that `provideJsonRpc()` made. Nothing here subscribes: the components' `async` pipes and
 * `toSignal`s do, and so own each call's lifetime.
 */
@Injectable({ providedIn: 'root' })
export class Shop {
  private readonly rpc = injectJsonRpc<ShopApi>();

  /** The link's state, replayed: connecting, open, reconnecting (attempt, error) or closed. */
  readonly state$: Observable<PeerState> = this.rpc.state$;

  /** The latest price of each symbol, in the order they first appeared. */
  readonly prices$: Observable<readonly Tick[]> = this.rpc.notifications$('prices.tick').pipe(
    scan((prices, tick) => new Map(prices).set(tick.symbol, tick), new Map<string, Tick>()),
    map((prices) => [...prices.values()]),
  );

  /** How many ticks have arrived since subscribing. */
  readonly tickCount$: Observable<number> = this.rpc.notifications$('prices.tick').pipe(scan((count) => count + 1, 0));

  /** Asks the server about itself again on every (re)connection: a drop does not leave the view stale. */
  readonly info$: Observable<ServerInfo> = this.state$.pipe(
    filter((state) => state.status === 'open'),
    switchMap(() => this.rpc.request$('server.info')),
  );

  /** Places an order; the server asks the person to confirm it first (`ui.confirm`). */
  placeOrder$(order: Order): Observable<OrderResult> {
    return this.rpc.request$('order.place', order);
  }
}
