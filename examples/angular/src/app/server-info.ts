import { Component, inject } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { Shop } from './shop.service';

/** A call's result, fetched again on each (re)connection, shown through a signal. */
@Component({
  selector: 'shop-server-info',
  template: `
    <h2>Server</h2>
    @if (info(); as info) {
      <p id="server-info">{{ info.name }}, connection #{{ info.connection }} (started {{ info.started }})</p>
    } @else {
      <p id="server-info">asking the server…</p>
    }
  `,
})
export class ServerInfoView {
  readonly info = toSignal(inject(Shop).info$);
}
