import type { HandlerError } from '../protocol/errors';
import type { JsonRpcId } from '../protocol/messages';
import type { HandlerRegistry } from './answerer/handlers';

/** What a server learns of its peers without subscribing to each one's `state$`. */
export interface PeerHooks {
  /** Called once, as the peer closes, before `state$` says 'closed'. */
  readonly onClosed?: () => void;
  /** Called with each failure of one of its handlers (thrown, rejected, past its deadline), after `errors$`. */
  readonly onHandlerError?: (error: HandlerError) => void;
  /** Called with the id of each request of the other side's that ends with no answer (cancelled, in a dialect that answers none). */
  readonly onUnanswered?: (id: JsonRpcId) => void;
  /** The peer's session, in place of `options.session`: a server shares one options object among its peers. */
  readonly session?: Record<string, unknown>;
  /** Handlers shared by every peer of a server (its methods), served after the peer's own. */
  readonly methods?: HandlerRegistry;
}
