import { Subscription, type Observable } from 'rxjs';
import type { JsonRpcParams } from '../../protocol/messages';
import type { Handler, HandlerContext } from '../peer';
import type { Peer } from '../peer';

/** Options of {@link subscriptionHandler}. */
export interface SubscriptionHandlerOptions<T> {
  /** The method of the notifications that carry the values, e.g. `'eth_subscription'`. */
  readonly notification: string;
  /**
   * The method the client calls with the subscription id to stop it, e.g. `'eth_unsubscribe'`.
   * It answers true, or false for an id it does not know. Omit it to let streams run until
   * they complete or the connection closes.
   */
  readonly unsubscribe?: string;
  /**
   * The params of each notification.
   * @default (subscription, result) => ({ subscription, result }) (the Ethereum shape)
   */
  readonly params?: (subscription: string, value: T) => JsonRpcParams;
}

/** The streams one peer runs for its clients, by subscription id. */
interface PeerStreams {
  readonly running: Map<string, Subscription>;
  readonly unsubscribeMethods: Set<string>;
  next: number;
}

const streamsByPeer = new WeakMap<Peer, PeerStreams>();

function streamsOf(peer: Peer): PeerStreams {
  let streams = streamsByPeer.get(peer);
  if (streams === undefined) {
    const created: PeerStreams = { running: new Map(), unsubscribeMethods: new Set(), next: 1 };
    // Every stream of a peer ends with its link: a new link's caller never asked for it.
    const stopAll = () => {
      for (const subscription of [...created.running.values()]) subscription.unsubscribe();
      created.running.clear();
    };
    peer.state$.subscribe({ next: (state) => state.status === 'reconnecting' && stopAll(), complete: stopAll });
    streamsByPeer.set(peer, created);
    streams = created;
  }
  return streams;
}

/**
 * Serves a subscription: the call is answered at once with a new subscription id, then
 * each value of the Observable `produce` returns is sent to the caller as a notification
 * carrying that id, until it completes or errors, the caller unsubscribes, or the
 * connection closes. This is the server side of `eth_subscribe`-style APIs.
 *
 * @example
 * ```ts
 * rpc.handle('ticker.subscribe', subscriptionHandler(([symbol]: [string]) => prices$(symbol), {
 *   notification: 'ticker.update',
 *   unsubscribe: 'ticker.unsubscribe',
 * }));
 * ```
 */
export function subscriptionHandler<P, T>(
  produce: (params: P, context: HandlerContext) => Observable<T>,
  options: SubscriptionHandlerOptions<T>,
): Handler<P, string> {
  const notificationParams = options.params ?? ((subscription, result) => ({ subscription, result }));
  return (params, context) => {
    const { peer } = context;
    const streams = streamsOf(peer);
    const unsubscribe = options.unsubscribe;
    if (unsubscribe !== undefined && !streams.unsubscribeMethods.has(unsubscribe)) {
      streams.unsubscribeMethods.add(unsubscribe);
      peer.handle(unsubscribe, (stopParams: unknown) => {
        // Array.isArray narrows to any[]; anything else is read as an object that may hold `subscription`
        const id: unknown = Array.isArray(stopParams)
          ? (stopParams as unknown[])[0]
          : (stopParams as { subscription?: unknown } | null | undefined)?.subscription;
        const subscription = typeof id === 'string' ? streams.running.get(id) : undefined;
        subscription?.unsubscribe();
        return subscription !== undefined;
      });
    }
    const values = produce(params, context);
    const id = String(streams.next++);
    const subscription = new Subscription(() => streams.running.delete(id));
    streams.running.set(id, subscription);
    // Start once the answer carrying the id has gone out, so that the caller knows the id
    // before the first notification arrives.
    queueMicrotask(() => {
      if (subscription.closed) return;
      subscription.add(
        values.subscribe({
          next: (value) => {
            try {
              peer.notify(options.notification, notificationParams(id, value));
            } catch {
              // A value that cannot be sent (not serialisable, peer closing) ends the stream.
              subscription.unsubscribe();
            }
          },
          error: () => subscription.unsubscribe(),
          complete: () => subscription.unsubscribe(),
        }),
      );
    });
    return id;
  };
}
