import type { RpcError } from '../protocol/errors';
import type { ConnectionInfo } from '../transports/transport';

/**
 * The state of a peer's link, as `state$` emits it.
 * - `connecting`: the transport is opening; calls wait.
 * - `open`: calls go out at once.
 * - `reconnecting`: the link dropped (`error` says how) and attempt number `attempt` to
 *   re-open it is waiting or under way; calls wait (bounded by their timeout).
 * - `closed`: for good; `error` says why when it was not a deliberate `close()`.
 */
export type PeerState =
  | { readonly status: 'connecting' }
  | { readonly status: 'open'; readonly info: ConnectionInfo }
  | { readonly status: 'reconnecting'; readonly attempt: number; readonly error: RpcError }
  | { readonly status: 'closed'; readonly error?: RpcError };
