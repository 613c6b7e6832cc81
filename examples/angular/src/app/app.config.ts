import {
  inject,
  provideBrowserGlobalErrorListeners,
  provideZonelessChangeDetection,
  type ApplicationConfig,
} from '@angular/core';
import { backoff, reconnecting, webSocket } from 'rx-jsonrpc';
import { provideJsonRpc } from 'rx-jsonrpc/angular';
import type { ShopApi } from './api';
import { ConfirmDialog } from './confirm-dialog.service';
import { SERVER_URL } from './server-url';

export const appConfig: ApplicationConfig = {
  providers: [
    provideBrowserGlobalErrorListeners(),
    // No zone.js: the async pipe and signals tell Angular when the peer's values arrive.
    provideZonelessChangeDetection(),
    provideJsonRpc<ShopApi>({
      transport: () => webSocket(inject(SERVER_URL)),
      options: { timeout: 60_000, reconnect: reconnecting({ delay: backoff({ initial: 200, max: 3_000 }) }) },
      // The server's calls to the app: ask the person in the page.
      setup: (peer) => {
        const dialog = inject(ConfirmDialog);
        peer.handle('ui.confirm', ({ text }) => dialog.ask(text));
      },
    }),
  ],
};
