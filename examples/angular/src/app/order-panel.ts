import { Component, inject } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { catchError, concatMap, map, of, retry, Subject, throwError, timer } from 'rxjs';
import { isRetryable } from 'rx-jsonrpc';
import type { Order } from './api';
import { Shop } from './shop.service';

/**
 * Places orders: each click is one call (concatMap: orders queue, none is dropped), retried
 * when the link dropped under it, and its outcome or error is shown.
 */
@Component({
  selector: 'shop-order-panel',
  template: `
    <h2>Order</h2>
    <button id="order" type="button" (click)="place({ item: 'tea', quantity: 2 })">Buy 2 × tea</button>
    <p id="order-result">{{ outcome() ?? 'no order yet' }}</p>
  `,
})
export class OrderPanel {
  private readonly shop = inject(Shop);
  private readonly orders = new Subject<Order>();

  readonly outcome = toSignal(
    this.orders.pipe(
      concatMap((order) =>
        this.shop.placeOrder$(order).pipe(
          // A dropped link is worth one more try; a refusal from the server is not.
          retry({ count: 1, delay: (error) => (isRetryable(error) ? timer(500) : throwError(() => error)) }),
          map((result) =>
            result.status === 'placed'
              ? `order #${result.id}: ${result.quantity} × ${result.item} placed`
              : `order #${result.id}: cancelled`,
          ),
          catchError((error: Error) => of(`order failed: ${error.message}`)),
        ),
      ),
    ),
  );

  place(order: Order): void {
    this.orders.next(order);
  }
}
