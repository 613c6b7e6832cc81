import { Component, computed, inject } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { Shop } from './shop.service';

/** The link's state as a badge: `toSignal` over `state$`, which replays the current state at once. */
@Component({
  selector: 'shop-connection-status',
  template: `<span class="badge" [attr.data-status]="state().status">{{ label() }}</span>`,
  styles: `
    .badge {
      display: inline-block;
      padding: 4px 10px;
      border-radius: 999px;
      font-weight: 600;
      background: #dde3ee;
    }
    [data-status='open'] {
      background: #c9f2d4;
      color: #135c2a;
    }
    [data-status='reconnecting'] {
      background: #ffe3b0;
      color: #7a4b00;
    }
    [data-status='closed'] {
      background: #ffd1d1;
      color: #7d1111;
    }
  `,
})
export class ConnectionStatus {
  readonly state = toSignal(inject(Shop).state$, { requireSync: true });
  readonly label = computed(() => {
    const state = this.state();
    switch (state.status) {
      case 'open':
        return 'open';
      case 'connecting':
        return 'connecting…';
      case 'reconnecting':
        return `reconnecting (attempt ${state.attempt})`;
      case 'closed':
        return state.error ? `closed: ${state.error.message}` : 'closed';
    }
  });
}
