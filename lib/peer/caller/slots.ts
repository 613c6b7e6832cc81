/**
 * A limit on how many calls are in flight at once: each call takes a slot to go out and
 * gives it back when it ends; calls beyond the limit wait their turn, in order.
 */
export class Slots {
  private taken = 0;
  private readonly waiting = new Set<() => void>();

  constructor(private readonly limit: number) {}

  /** Starts every waiting call at once, whatever the limit (the peer closed: they fail at once). */
  releaseAll(): void {
    for (const run of [...this.waiting]) run();
  }

  /**
   * Runs `start` once a slot is free (at once if one is). Returns the function to call when
   * the call ends: it gives the slot back, or leaves the queue if the call never started.
   */
  acquire(start: () => void): () => void {
    let started = false;
    let done = false;
    const run = () => {
      this.waiting.delete(run);
      started = true;
      this.taken++;
      start();
    };
    if (this.taken < this.limit) run();
    else this.waiting.add(run);
    return () => {
      if (done) return;
      done = true;
      if (!started) return void this.waiting.delete(run);
      this.taken--;
      const next = this.waiting.values().next().value;
      next?.();
    };
  }
}
