import { Observable, type Subscriber, type TeardownLogic } from 'rxjs';

/**
 * What a feed calls for each item: a Subscriber, or a listener of the library's own that
 * `listen()` takes as it is (no Subscriber made for it). It must not throw; it stops being
 * called once `closed`.
 */
export interface FeedListener<T> {
  readonly closed: boolean;
  next(item: T): void;
  complete(): void;
}

// Shared by every empty feed; never changed (a feed replaces its array rather than change it).
const none: readonly never[] = [];

/**
 * The incoming frames (or messages) of one link, hot, as a Subject would give them, for a
 * fraction of a Subject's cost per link (a server holds one per connection): it is the
 * Observable itself, made with one function shared by all; its subscribers are kept in an
 * array replaced on each change, so that one leaving while an item is delivered does not
 * disturb the delivery; and one that unsubscribed is let go at the next item, so that a
 * subscription needs no teardown (nor the list of them RxJS would make on the subscriber).
 */
export class Feed<T> extends Observable<T> {
  private subscribers: readonly FeedListener<T>[] = none;
  private ended = false;

  constructor() {
    super(subscribeToFeed);
  }

  /** Whether anybody listens now: one property read while nobody ever did. */
  get observed(): boolean {
    return this.subscribers.some(isOpen);
  }

  /** Emits `item` to whoever listens now. */
  next(item: T): void {
    let left = false;
    for (const subscriber of this.subscribers) {
      if (subscriber.closed) left = true;
      else subscriber.next(item);
    }
    if (left) this.subscribers = this.subscribers.filter(isOpen);
  }

  /** Completes the feed: subscribers now and later complete. */
  complete(): void {
    if (this.ended) return;
    this.ended = true;
    const subscribers = this.subscribers;
    this.subscribers = none;
    for (const subscriber of subscribers) subscriber.complete();
  }

  /** @internal Adds a listener: the Subscriber of `subscribeToFeed`, or a `FeedListener` of the library's own. */
  listen(subscriber: FeedListener<T>): TeardownLogic {
    if (this.ended) return subscriber.complete();
    const subscribers = this.subscribers;
    // A literal of one for the first (most feeds have one listener): a spread would reserve room for 17.
    this.subscribers = subscribers.length === 0 ? [subscriber] : [...subscribers, subscriber];
    return undefined;
  }
}

/** Whether a subscriber still listens. */
function isOpen(subscriber: FeedListener<unknown>): boolean {
  return !subscriber.closed;
}

/** One function for every Feed: RxJS calls it with the Observable as `this`. */
function subscribeToFeed<T>(this: Observable<T>, subscriber: Subscriber<T>): TeardownLogic {
  // Only Feed's constructor hands this function to an Observable: the test only narrows.
  return this instanceof Feed ? this.listen(subscriber) : undefined;
}

/**
 * `made`, or a feed made now if there is none yet: for a stream made when it is first asked
 * for (a server holds many thousands of peers, most of whose streams nobody reads). One made
 * after its source has `ended` is complete.
 */
export function feedOf<T>(made: Feed<T> | undefined, ended: boolean): Feed<T> {
  if (made !== undefined) return made;
  const feed = new Feed<T>();
  if (ended) feed.complete();
  return feed;
}
