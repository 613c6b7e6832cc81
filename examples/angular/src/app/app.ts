import { Component } from '@angular/core';
import { ConfirmDialogView } from './confirm-dialog';
import { ConnectionStatus } from './connection-status';
import { OrderPanel } from './order-panel';
import { PriceBoard } from './price-board';
import { ServerInfoView } from './server-info';

/** The shop: the link's state, a call's result, live prices, and orders the server confirms with the person. */
@Component({
  selector: 'shop-root',
  imports: [ConnectionStatus, ServerInfoView, PriceBoard, OrderPanel, ConfirmDialogView],
  template: `
    <header>
      <h1>rx-jsonrpc shop</h1>
      <shop-connection-status />
    </header>
    <main>
      <section><shop-server-info /></section>
      <section><shop-price-board /></section>
      <section><shop-order-panel /></section>
    </main>
    <shop-confirm-dialog />
  `,
  styles: `
    header {
      display: flex;
      align-items: center;
      gap: 16px;
      padding: 12px 24px;
      background: white;
      border-bottom: 1px solid #dde3ee;
    }
    h1 {
      font-size: 20px;
      margin: 0;
    }
    main {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(280px, 1fr));
      gap: 16px;
      padding: 16px 24px;
    }
    section {
      background: white;
      border-radius: 10px;
      padding: 4px 16px 12px;
      border: 1px solid #dde3ee;
    }
  `,
})
export class App {}
