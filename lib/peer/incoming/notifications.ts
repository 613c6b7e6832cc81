import { Observable, Subject, type Subscriber } from 'rxjs';
import type { JsonRpcNotification } from '../../protocol/messages';
import { Feed } from '../../transports/feed';

/**
 * Incoming notifications, routed by method through a Map: O(1) per message whatever the
 * number of methods listened to. A method's Subject exists only while someone listens.
 */
export class NotificationRouter {
  // Made at the first subscription to a method: most peers of a server never make one.
  private byMethod: Map<string, Subject<unknown>> | undefined;
  private readonly all = new Feed<JsonRpcNotification>();
  private readonly foreign = new Feed<unknown>();
  private completed = false;

  /** Every notification, whole. */
  readonly all$: Observable<JsonRpcNotification> = this.all;

  /** Messages that are not JSON-RPC, which some servers push on the same link. */
  readonly foreign$: Observable<unknown> = this.foreign;

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
    const listened = this.all.observed;
    if (listened) this.all.next(message);
    return listened || subject !== undefined;
  }

  /** Delivers a message that is not JSON-RPC, if anybody listens; returns whether anybody did. */
  deliverForeign(message: unknown): boolean {
    if (!this.foreign.observed) return false;
    this.foreign.next(message);
    return true;
  }

  /** Completes every stream (the peer closed). */
  complete(): void {
    this.completed = true;
    for (const subject of this.byMethod?.values() ?? []) subject.complete();
    this.byMethod = undefined;
    this.all.complete();
    this.foreign.complete();
  }
}
