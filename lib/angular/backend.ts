import { InjectionToken } from '@angular/core';
import type { Transport } from '../transports/transport';

/**
 * Where every connection's peer links to instead of its own transport, when provided:
 * `provideJsonRpcTesting()` provides it. Told the connection's name, returns its transport.
 */
export const JSON_RPC_BACKEND = /* @__PURE__ */ new InjectionToken<(connection: string) => Transport>(
  'rx-jsonrpc backend',
);
