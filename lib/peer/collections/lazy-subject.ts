import { Observable, Subject, type Subscriber, type TeardownLogic } from 'rxjs';

/**
 * A hot stream whose Subject is made at its first subscription. A peer has several streams
 * (`errors$`, `trace$`, `incoming$`, `requests$`...) that most peers of a server never
 * watch; as one object it costs a third of a Subject and the Observable that hides it.
 *
 * It is the Observable itself: what it emits and when it completes are for its owner
 * (`emit`, `end`), hidden behind the `Observable` type the owner hands out.
 */
export class LazySubject<T> extends Observable<T> {
  /** Made at the first subscription; emitting before it has no one to reach. */
  private subject: Subject<T> | undefined;
  private ended = false;

  constructor() {
    super(subscribeLazily);
  }

  /** Whether anybody listens now: one property read when nobody ever did. */
  get observed(): boolean {
    return this.subject?.observed ?? false;
  }

  /** Emits `value` to whoever listens now. */
  emit(value: T): void {
    this.subject?.next(value);
  }

  /** Completes the stream: subscribers now and later complete. */
  end(): void {
    this.ended = true;
    this.subject?.complete();
  }

  /** @internal The subscription of `subscribeLazily`. */
  listen(subscriber: Subscriber<T>): TeardownLogic {
    if (this.subject === undefined && this.ended) return subscriber.complete();
    return (this.subject ??= new Subject<T>()).subscribe(subscriber);
  }
}

/** One function for every LazySubject: RxJS calls it with the Observable as `this`. */
function subscribeLazily<T>(this: Observable<T>, subscriber: Subscriber<T>): TeardownLogic {
  // Only LazySubject's constructor hands this function to an Observable: the test only narrows.
  return this instanceof LazySubject ? this.listen(subscriber) : undefined;
}
