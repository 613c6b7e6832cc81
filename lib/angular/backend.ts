import { InjectionToken } from '@angular/core';
import type { PeerOptions } from '../peer/options';
import type { Transport } from '../transports/transport';

/** What a connection's peer links to instead of its own transport, and the options that link needs. */
export interface JsonRpcBackendLink {
  readonly transport: Transport;
  /** Laid over the connection's own options. */
  readonly options: PeerOptions;
}

/**
 * Where every connection's peer links to instead of its own transport, when provided:
 * `provideJsonRpcTesting()` provides it. Told the connection's name, returns its link.
 */
export const JSON_RPC_BACKEND = /* @__PURE__ */ new InjectionToken<(connection: string) => JsonRpcBackendLink>(
  'rx-jsonrpc backend',
);
