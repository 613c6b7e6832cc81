import type { RpcError } from '../protocol/errors';
import type { ConnectionInfo } from '../transports/transport';

/**
 * The state of a peer's link, as `state$` emits it.
 * - `connecting`: the transport is opening; calls wait.
 * - `open`: calls go out at once.
 * - `closed`: for good; `error` says why when it was not a deliberate `close()`.
 */
export type PeerState =
  | { readonly status: 'connecting' }
  | { readonly status: 'open'; readonly info: ConnectionInfo }
  | { readonly status: 'closed'; readonly error?: RpcError };
