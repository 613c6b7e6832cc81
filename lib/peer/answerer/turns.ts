/**
 * Turns among incoming calls: at most `limit` run at once, the others wait in order. A
 * call that ends passes its turn on with a loop, not recursion, however long the queue and
 * however many of the calls end at once.
 */
export class Turns<T> {
  // Made when a call first has to wait: most peers never reach their limit.
  private waiting: Set<T> | undefined;
  private running = 0;
  private passing = false;

  constructor(
    private readonly limit: number,
    /** Starts an item whose turn came (an object, not a closure of each peer). */
    private readonly starter: { begin(item: T): void },
  ) {}

  /** Starts `item` now if there is room and nobody waits, or queues it. */
  enter(item: T): void {
    if (this.running < this.limit && (this.waiting === undefined || this.waiting.size === 0)) {
      this.running++;
      return this.starter.begin(item);
    }
    (this.waiting ??= new Set<T>()).add(item);
    this.pass();
  }

  /** `item` ended: a running item gives its turn to the next; a waiting one leaves the queue. */
  leave(item: T, started: boolean): void {
    if (!started) return void this.waiting?.delete(item);
    this.running--;
    this.pass();
  }

  private pass(): void {
    const waiting = this.waiting;
    if (this.passing || waiting === undefined) return;
    this.passing = true;
    try {
      for (let next = waiting.values().next(); !next.done && this.running < this.limit;) {
        waiting.delete(next.value);
        this.running++;
        this.starter.begin(next.value);
        next = waiting.values().next();
      }
    } finally {
      this.passing = false;
    }
  }
}
