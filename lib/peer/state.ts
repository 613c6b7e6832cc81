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
  | {
      /** Opening the first link. */
      readonly status: 'connecting';
    }
  | {
      /** Connected. */
      readonly status: 'open';
      /** What the transport knows about the link. */
      readonly info: ConnectionInfo;
    }
  | {
      /** The link dropped; waiting or trying again. */
      readonly status: 'reconnecting';
      /** The number of this attempt, from 1. */
      readonly attempt: number;
      /** Why the last link ended or the last attempt failed. */
      readonly error: RpcError;
    }
  | {
      /** Closed for good. */
      readonly status: 'closed';
      /** Why, when it was not a deliberate `close()`. */
      readonly error?: RpcError;
    };
