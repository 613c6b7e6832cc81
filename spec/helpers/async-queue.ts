/** A queue of events for tests: `take()` resolves with the items pushed, in order, waiting when there are none. */
export class AsyncQueue<T> {
  private readonly items: T[] = [];
  private readonly takers: { resolve: (item: T) => void; reject: (error: unknown) => void }[] = [];
  private failure: { error: unknown } | undefined;

  /** Hands `item` to the oldest waiting `take()`, or keeps it for the next one. */
  push(item: T): void {
    const taker = this.takers.shift();
    if (taker === undefined) this.items.push(item);
    else taker.resolve(item);
  }

  /** Makes every waiting and future `take()` reject with `error` once the kept items are taken. */
  fail(error: unknown): void {
    this.failure ??= { error };
    for (const taker of this.takers.splice(0)) taker.reject(error);
  }

  /** Resolves with the next item, in push order. */
  take(): Promise<T> {
    if (this.items.length > 0) return Promise.resolve(this.items.shift()!);
    if (this.failure !== undefined) return Promise.reject(this.failure.error);
    return new Promise((resolve, reject) => this.takers.push({ resolve, reject }));
  }
}
