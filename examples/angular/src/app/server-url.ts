import { DOCUMENT, inject, InjectionToken } from '@angular/core';

/**
 * Where the JSON-RPC server is: `?ws=...` in the page's address, or `/rpc` on the
 * page's own host (examples/angular/server.ts serves both).
 */
export const SERVER_URL = new InjectionToken<string>('SERVER_URL', {
  providedIn: 'root',
  factory: () => {
    const { location } = inject(DOCUMENT);
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    return new URLSearchParams(location.search).get('ws') ?? `${scheme}://${location.host}/rpc`;
  },
});
