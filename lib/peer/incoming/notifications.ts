import { Observable, Subject, type Subscriber } from 'rxjs';
import type { JsonRpcNotification } from '../../protocol/messages';
import { feedOf, type Feed } from '../../transports/feed';

/**
 * Incoming notifications, routed by method through a Map: O(1) per message whatever the
 * number of methods listened to. A method's Subject exists only while someone listens.
 */
export class NotificationRouter {
  // Made at the first subscription to a method: most peers of a server never make one.
  private byMethod: Map<string, Subject<unknown>> | undefined;
  // Each made when first asked for, as the map: most peers of a server never read them.
  private all: Feed<JsonRpcNotification> | undefined;
  private foreign: Feed<unknown> | undefined;
  private completed = false;

  /** Every notification, whole. */
  get all$(): Observable<JsonRpcNotification> {
    return (this.all = feedOf(this.all, this.completed));
  }

  /** Messages that are not JSON-RPC, which some servers push on the same link. */
  get foreign$(): Observable<unknown> {
    return (this.foreign = feedOf(this.foreign, this.completed));
  }

  /** The params of each notification of `method` (undefined when it has none). */
  of<P>(method: string): Observable<P> {
    return new Observable<P>((subscriber) => {
      if (this.completed) return subscriber.complete();
      const byMethod = (this.byMethod ??= new Map<string, Subject<unknown>>());
      let subject = byMethod.get(method);
      if (subject === undefined) {
        subject = new Subject<unknown>();
        byMethod.set(method, subject);
      }
      const listened = subject;
      // P is what the caller says the params are: unchecked, as for request$<R>()
      const subscription = listened.subscribe(subscriber as Subscriber<unknown>);
      return () => {
        subscription.unsubscribe();
        if (!listened.observed && byMethod.get(method) === listened) byMethod.delete(method);
      };
    });
  }

  /** Delivers one notification; returns whether anybody was listening. */
  deliver(message: JsonRpcNotification): boolean {
    const subject = this.byMethod?.get(message.method);
    subject?.next(message.params);
    const all = this.all;
    const listened = all?.observed === true;
    if (listened) all.next(message);
    return listened || subject !== undefined;
  }

  /** Delivers a message that is not JSON-RPC, if anybody listens; returns whether anybody did. */
  deliverForeign(message: unknown): boolean {
    const foreign = this.foreign;
    if (foreign?.observed !== true) return false;
    foreign.next(message);
    return true;
  }

  /** Completes every stream (the peer closed). */
  complete(): void {
    this.completed = true;
    for (const subject of this.byMethod?.values() ?? []) subject.complete();
    this.byMethod = undefined;
    this.all?.complete();
    this.foreign?.complete();
  }
}
