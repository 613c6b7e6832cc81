import { catchError, EMPTY, Observable, share, switchMap, throwError } from 'rxjs';
import { isRetryable, TransportError } from '../protocol/errors';
import { isPlainObject } from '../protocol/guards';
import type { JsonRpcParams } from '../protocol/messages';
import type { ConnectionInfo } from '../transports/transport';
import type { AnyPeer } from '../peer/peer';
import type { PeerState } from '../peer/state';
import { routerOf } from './subscription-router';

/** Options of `subscription$()`. Defaults fit Ethereum, Solana and Polkadot. */
export interface SubscriptionOptions<T> {
  /** The method of the notifications that carry the values, e.g. `'eth_subscription'`. */
  readonly notification: string;
  /** The method to call with the subscription id when the last subscriber leaves, e.g. `'eth_unsubscribe'`. */
  readonly unsubscribe?: string;
  /**
   * The params of the unsubscribe call.
   * @default (id) => [id]
   */
  readonly unsubscribeParams?: (id: unknown) => JsonRpcParams;
  /**
   * Reads the subscription id from a notification's params. All subscriptions to one
   * notification method share the first one given.
   * @default (params) => params.subscription
   */
  readonly subscriptionId?: (params: unknown) => unknown;
  /**
   * Reads the value from a notification's params.
   * @default (params) => params.result
   */
  readonly result?: (params: unknown) => T;
  /**
   * Called with the subscription id each time the server subscription is active: its
   * subscribe call was answered (again after each reconnect). Servers drop the events that
   * happen before that answer, so trigger events here, not on subscribe. An error it throws
   * errors the stream (as one that `result` throws does).
   *
   * @example
   * ```ts
   * subscription$(rpc, 'eth_subscribe', ['newHeads'], {
   *   notification: 'eth_subscription',
   *   subscribed: () => void rpc.request('evm_mine'), // its block is not lost
   * });
   * ```
   */
  readonly subscribed?: (id: unknown) => void;
  /**
   * The most notifications kept for a subscription whose id is not known yet (they arrive
   * before the answer to its subscribe call), in UTF-16 code units of their params' JSON
   * (about bytes for ASCII), and at most 1,000 of them; past it the oldest are dropped and
   * reported once per wait on the peer's `errors$`. All subscriptions to one notification
   * method of a peer share the first one given.
   * @default 1_048_576 (1 MiB)
   */
  readonly maxEarlyNotificationBytes?: number;
}

const field = (name: string) => (params: unknown) => (isPlainObject(params) ? params[name] : undefined);
const subscriptionField = field('subscription');
const resultField = field('result');

/**
 * A server-side subscription (`eth_subscribe` and the like) as an Observable of the values
 * its notifications carry.
 * Subscribing calls `method` (once for all subscribers, who share it); the answer is the
 * subscription id, and the notifications carrying it are routed here by id. After a
 * reconnect it subscribes again and carries on with the new id. When the last subscriber
 * leaves it calls `unsubscribe`. Errors with the subscribe call's remote error, or with
 * the link's error if the peer closes after a drop; completes if the peer is closed. On a
 * link that cannot carry notifications to this side (`duplex: false`, as `http()`), errors
 * at once with a non-retryable `TransportError`, calling nothing.
 *
 * @example
 * ```ts
 * subscription$<Block>(rpc, 'eth_subscribe', ['newHeads'], {
 *   notification: 'eth_subscription',
 *   unsubscribe: 'eth_unsubscribe',
 * }).subscribe((block) => console.log(block.number));
 * ```
 */
export function subscription$<T = unknown>(
  peer: AnyPeer,
  method: string,
  params: JsonRpcParams | undefined,
  options: SubscriptionOptions<T>,
): Observable<T> {
  // without a `result` option, T is what the caller says the field holds: unchecked, as for request$<R>()
  const result = options.result ?? (resultField as (params: unknown) => T);
  const unsubscribeParams = options.unsubscribeParams ?? ((id: unknown) => [id]);

  // Lifetime: one server subscription on the link `opened` announced.
  const onLink = (opened: PeerState) =>
    new Observable<T>((subscriber) => {
      const router = routerOf(peer, options.notification, options.subscriptionId ?? subscriptionField, options);
      const stopWaiting = router.expect();
      let id: unknown;
      let detach: (() => void) | undefined;
      const call = peer.request$(method, params).subscribe({
        next: (answer) => {
          id = answer;
          detach = router.attach(answer, (notification) => {
            let value: T;
            try {
              value = result(notification);
            } catch (error) {
              return subscriber.error(new ThrownByOption(error));
            }
            subscriber.next(value);
          });
          // Early notifications are handed over inside attach: one may have ended the stream
          // (take(1), a throwing result) before the teardown could know what to detach.
          if (subscriber.closed) return detach();
          stopWaiting();
          try {
            options.subscribed?.(answer);
          } catch (error) {
            subscriber.error(new ThrownByOption(error));
          }
        },
        error: (error: unknown) => {
          stopWaiting();
          subscriber.error(error);
        },
      });
      return () => {
        call.unsubscribe();
        stopWaiting();
        detach?.();
        // On a link that has since dropped, the server has forgotten the id already. Asked of
        // the peer now, not of what this stream last saw: whoever reacts to the drop before us
        // may be unsubscribing us.
        if (id !== undefined && options.unsubscribe !== undefined && stateNow(peer) === opened) {
          peer.request$(options.unsubscribe, unsubscribeParams(id)).subscribe({ error: () => undefined });
        }
      };
    });

  // Lifetime: from the first subscriber to the last; a new server subscription per link.
  return peer.state$.pipe(
    switchMap((state) => {
      if (state.status === 'open' && state.info.duplex === false) return throwError(() => oneWay(method, state.info));
      if (state.status === 'open') {
        return onLink(state).pipe(catchError(endOfLink));
      }
      return state.status === 'closed' && state.error !== undefined ? throwError(() => state.error) : EMPTY;
    }),
    share(),
  );
}

/** The peer's state now (state$ replays it at once): the same object while the same link is open. */
function stateNow(peer: AnyPeer): PeerState | undefined {
  let now: PeerState | undefined;
  peer.state$.subscribe((state) => (now = state)).unsubscribe();
  return now;
}

/** An error thrown by `result` or `subscribed`: the stream's to carry, retryable or not. */
class ThrownByOption {
  constructor(readonly error: unknown) {}
}

/** How one link's subscription ends the stream: not at all for a retryable link failure (the next link subscribes again). */
function endOfLink(error: unknown): Observable<never> {
  if (error instanceof ThrownByOption) return throwError(() => error.error);
  return isRetryable(error) ? EMPTY : throwError(() => error);
}

/** The error of a subscription on a link the server cannot push on. */
function oneWay(method: string, info: ConnectionInfo): TransportError {
  return new TransportError(
    `subscription$(${method}) needs a link the server can push on, and ${info.transport} carries only answers ` +
      '(duplex: false): poll with request$() instead, or connect over a WebSocket',
  );
}
