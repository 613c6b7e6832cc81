import type { Observable, Subscription } from 'rxjs';
import { ProtocolError, type RpcError } from '../protocol/errors';
import type { AnyPeer } from '../peer/peer';

/**
 * How much of the early notifications (those for a subscription id not known yet, kept
 * while a subscribe call is unanswered) a router keeps by default: 1 MiB, counted as
 * described at {@link EarlyNotificationLimits.bytes}.
 */
export const defaultEarlyNotificationBytes = 1_048_576;

/** How many early notifications are kept at most, whatever their size. */
const earlyCount = 1000;

/** What a router keeps of early notifications, and where it says it dropped some. */
export interface EarlyNotificationLimits {
  /**
   * The budget of the early notifications kept, oldest dropped first (and at most 1,000 of
   * them). Each is counted as about the length of its params' JSON text in UTF-16 code
   * units (strings by their length, escapes not counted; numbers, booleans and null as 8):
   * about its bytes for ASCII, and close to what the parsed value holds on the heap. One
   * larger than the whole budget is dropped on arrival.
   * @default defaultEarlyNotificationBytes (1 MiB)
   */
  readonly bytes?: number;
  /** Told once per wait, with a `ProtocolError`, when early notifications were dropped. */
  readonly report?: (error: RpcError) => void;
}

interface Early {
  readonly id: unknown;
  readonly params: unknown;
  readonly size: number;
}

/**
 * Routes the notifications of one method to subscriptions by their id, through a Map
 * (O(1) per notification). Notifications that arrive while a subscribe call is still
 * unanswered are kept, within a byte budget, since they may belong to it, and handed over
 * once its id is known. Listens to the notifications only while someone needs them.
 */
export class SubscriptionRouter {
  private readonly listeners = new Map<unknown, (params: unknown) => void>();
  private early: Early[] = [];
  private earlyBytes = 0;
  private dropReported = false;
  private awaiting = 0;
  private source: Subscription | undefined;
  private readonly budget: number;

  constructor(
    private readonly notifications$: Observable<unknown>,
    /** Reads the subscription id a notification carries. */
    private readonly idOf: (params: unknown) => unknown,
    /** Called when nobody needs the router any more. */
    private readonly onIdle: () => void,
    /** The notification method, for the drop report. */
    private readonly method: string,
    private readonly limits: EarlyNotificationLimits,
  ) {
    this.budget = limits.bytes ?? defaultEarlyNotificationBytes;
  }

  /** Starts waiting for a subscribe answer; returns the function that ends the wait (idempotent). */
  expect(): () => void {
    this.awaiting++;
    this.listen();
    let waiting = true;
    return () => {
      if (!waiting) return;
      waiting = false;
      if (--this.awaiting === 0) this.forgetEarly();
      this.idleCheck();
    };
  }

  /** Routes the notifications carrying `id` to `listener`, early ones first; returns the detach function. */
  attach(id: unknown, listener: (params: unknown) => void): () => void {
    this.listeners.set(id, listener);
    const early = this.early.filter((notification) => notification.id === id);
    if (early.length > 0) {
      this.early = this.early.filter((notification) => notification.id !== id);
      for (const notification of early) this.earlyBytes -= notification.size;
    }
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
    // Measured only here: notifications for known ids (the hot path) are never serialised.
    const size = sizeOf(params, this.budget);
    if (size > this.budget) return this.dropped();
    this.early.push({ id, params, size });
    this.earlyBytes += size;
    while (this.early.length > earlyCount || this.earlyBytes > this.budget) {
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- over either bound, at least one notification is kept
      this.earlyBytes -= this.early.shift()!.size;
      this.dropped();
    }
  }

  private dropped(): void {
    if (this.dropReported) return;
    this.dropReported = true;
    this.limits.report?.(
      new ProtocolError(
        `Early notifications of ${this.method} dropped: more than ${this.budget} bytes (maxEarlyNotificationBytes) or ${earlyCount} ` +
          'of them arrived before a subscribe call was answered',
      ),
    );
  }

  private forgetEarly(): void {
    this.early = [];
    this.earlyBytes = 0;
    this.dropReported = false;
  }

  private idleCheck(): void {
    if (this.awaiting > 0 || this.listeners.size > 0) return;
    this.source?.unsubscribe();
    this.source = undefined;
    this.onIdle();
  }
}

/**
 * About the length of the JSON text of `value` in UTF-16 code units (a string by its length
 * plus quotes, escapes not counted; a number as 8), counted only until it passes `limit`:
 * a huge notification costs no more to measure than the budget, and a string costs O(1).
 */
function sizeOf(value: unknown, limit: number): number {
  let size = 0;
  const stack = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === 'string') size += item.length + 2;
    else if (typeof item !== 'object' || item === null) size += 8;
    else if (Array.isArray(item)) {
      size += item.length + 2;
      // Array.isArray narrows to any[]: read the elements as unknown
      if (size <= limit) for (const element of item as unknown[]) stack.push(element);
    } else {
      size += 2;
      for (const key in item) {
        size += key.length + 4;
        if (size > limit) break;
        // a key for-in found on this object
        stack.push((item as Record<string, unknown>)[key]);
      }
    }
    if (size > limit) return size;
  }
  return size;
}

/**
 * The routers of one peer, one per notification method, each kept while it is needed.
 * `early` bounds what each keeps of early notifications (unless the router's first user
 * gives its own `bytes`) and says where drops are reported.
 */
export function subscriptionRouters(
  notificationsOf: (method: string) => Observable<unknown>,
  early: EarlyNotificationLimits = {},
): (notification: string, subscriptionId: (params: unknown) => unknown, bytes?: number) => SubscriptionRouter {
  const routers = new Map<string, SubscriptionRouter>();
  return (notification, subscriptionId, bytes) => {
    let router = routers.get(notification);
    if (router === undefined) {
      const created = new SubscriptionRouter(
        notificationsOf(notification),
        subscriptionId,
        () => {
          if (routers.get(notification) === created) routers.delete(notification);
        },
        notification,
        bytes === undefined ? early : { ...early, bytes },
      );
      routers.set(notification, created);
      router = created;
    }
    return router;
  };
}

/** Each peer's routers, made on its first subscription; forgotten with the peer. */
const routersOfPeer = new WeakMap<AnyPeer, ReturnType<typeof subscriptionRouters>>();

/** The router of `peer` for the notification method `notification`, made on first use. */
export function routerOf(
  peer: AnyPeer,
  notification: string,
  subscriptionId: (params: unknown) => unknown,
  limits: { readonly maxEarlyNotificationBytes?: number },
): SubscriptionRouter {
  let routers = routersOfPeer.get(peer);
  if (routers === undefined) {
    routers = subscriptionRouters((method) => peer.notifications$(method), { report: (error) => peer.report(error) });
    routersOfPeer.set(peer, routers);
  }
  return routers(notification, subscriptionId, limits.maxEarlyNotificationBytes);
}
