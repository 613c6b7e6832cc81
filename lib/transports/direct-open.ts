import type { Unsubscribable } from 'rxjs';
import type { Connection, Transport } from './transport';

/**
 * The key of a transport's way to open its link for the library's own link runner without an
 * RxJS subscription: the same as `connect().subscribe(observer)`, less the Subscriber and the
 * array of teardowns RxJS makes for it (about 290 bytes a link; a server holds one per
 * connection). Internal: a transport of the user's has none, and is subscribed to.
 */
export const openDirectly = Symbol('rx-jsonrpc open directly');

/** What a directly opened link reports to: as an Observer, but told nothing after an error or once let go. */
export interface LinkObserver {
  next(connection: Connection): void;
  error(error: unknown): void;
  complete(): void;
}

/** A transport that can open its link directly (see {@link openDirectly}). */
export interface DirectTransport extends Transport {
  /** Opens one link for `observer`; unsubscribing closes it, as for a subscription of `connect()`. */
  [openDirectly](observer: LinkObserver): Unsubscribable;
}

/** Whether `transport` opens its links directly. */
export function opensDirectly(transport: Transport): transport is DirectTransport {
  return openDirectly in transport;
}
