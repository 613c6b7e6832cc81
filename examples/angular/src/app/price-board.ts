import { AsyncPipe, DecimalPipe } from '@angular/common';
import { Component, inject } from '@angular/core';
import { Shop } from './shop.service';

/** Live server notifications, bound with the `async` pipe. */
@Component({
  selector: 'shop-price-board',
  imports: [AsyncPipe, DecimalPipe],
  template: `
    <h2>
      Prices <small id="tick-count">{{ (tickCount$ | async) ?? 0 }} ticks</small>
    </h2>
    <table>
      @for (tick of prices$ | async; track tick.symbol) {
        <tr [attr.data-symbol]="tick.symbol">
          <th>{{ tick.symbol }}</th>
          <td>{{ tick.price | number: '1.2-2' }}</td>
          <td [class.up]="tick.change > 0" [class.down]="tick.change < 0">
            {{ tick.change > 0 ? '▲' : tick.change < 0 ? '▼' : '•' }} {{ tick.change | number: '1.2-2' }}
          </td>
        </tr>
      } @empty {
        <tr>
          <td>waiting for prices…</td>
        </tr>
      }
    </table>
  `,
  styles: `
    table {
      border-collapse: collapse;
      min-width: 260px;
    }
    th,
    td {
      padding: 4px 12px 4px 0;
      text-align: left;
      font-variant-numeric: tabular-nums;
    }
    small {
      color: #6b7385;
      font-weight: normal;
    }
    .up {
      color: #137333;
    }
    .down {
      color: #b3261e;
    }
  `,
})
export class PriceBoard {
  private readonly shop = inject(Shop);
  readonly prices$ = this.shop.prices$;
  readonly tickCount$ = this.shop.tickCount$;
}
