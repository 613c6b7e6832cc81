import type { Observable, Subscription } from 'rxjs';

/** How many notifications for not-yet-known subscription ids are kept while a subscribe call is out. */
const earlyLimit = 1000;

/**
 * Routes the notifications of one method to subscriptions by their id, through a Map
 * (O(1) per notification). Notifications that arrive while a subscribe call is still
 * unanswered are kept, since they may belong to it, and handed over once its id is known.
 * Listens to the notifications only while someone needs them.
 */
export class SubscriptionRouter {
  private readonly listeners = new Map<unknown, (params: unknown) => void>();
  private early: { readonly id: unknown; readonly params: unknown }[] = [];
  private awaiting = 0;
  private source: Subscription | undefined;

  constructor(
    private readonly notifications$: Observable<unknown>,
    /** Reads the subscription id a notification carries. */
    private readonly idOf: (params: unknown) => unknown,
    /** Called when nobody needs the router any more. */
    private readonly onIdle: () => void,
  ) {}

  /** Starts waiting for a subscribe answer; returns the function that ends the wait (idempotent). */
  expect(): () => void {
    this.awaiting++;
    this.listen();
    let waiting = true;
    return () => {
      if (!waiting) return;
      waiting = false;
      if (--this.awaiting === 0) this.early = [];
      this.idleCheck();
    };
  }

  /** Routes the notifications carrying `id` to `listener`, early ones first; returns the detach function. */
  attach(id: unknown, listener: (params: unknown) => void): () => void {
    this.listeners.set(id, listener);
    const early = this.early.filter((notification) => notification.id === id);
    if (early.length > 0) this.early = this.early.filter((notification) => notification.id !== id);
    for (const notification of early) listener(notification.params);
    return () => {
      if (this.listeners.get(id) === listener) this.listeners.delete(id);
      this.idleCheck();
    };
  }

  private listen(): void {
    this.source ??= this.notifications$.subscribe((params) => this.deliver(params));
  }

  private deliver(params: unknown): void {
    const id = this.idOf(params);
    const listener = this.listeners.get(id);
    if (listener !== undefined) return listener(params);
    if (this.awaiting === 0) return;
    this.early.push({ id, params });
    if (this.early.length > earlyLimit) this.early.shift();
  }

  private idleCheck(): void {
    if (this.awaiting > 0 || this.listeners.size > 0) return;
    this.source?.unsubscribe();
    this.source = undefined;
    this.onIdle();
  }
}

/** The routers of one peer, one per notification method, each kept while it is needed. */
export function subscriptionRouters(
  notificationsOf: (method: string) => Observable<unknown>,
): (notification: string, subscriptionId: (params: unknown) => unknown) => SubscriptionRouter {
  const routers = new Map<string, SubscriptionRouter>();
  return (notification, subscriptionId) => {
    let router = routers.get(notification);
    if (router === undefined) {
      const created = new SubscriptionRouter(notificationsOf(notification), subscriptionId, () => {
        if (routers.get(notification) === created) routers.delete(notification);
      });
      routers.set(notification, created);
      router = created;
    }
    return router;
  };
}
