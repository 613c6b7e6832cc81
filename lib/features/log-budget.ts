/**
 * How many lines of one kind a log takes a minute: enough to see a fault, too few for a
 * peer that sends garbage to fill a disk. A class: a server holds one, not one per peer.
 */
export class LogBudget {
  private windowStart = -Infinity;
  private used = 0;
  private leftOut = 0;

  constructor(private readonly perMinute: number) {}

  /**
   * Whether one more line may be written now. When a new minute begins after lines were
   * refused, first tells `leftOut` how many, for a line that says so.
   */
  take(leftOut: (count: number) => void): boolean {
    // A monotonic clock: a wall clock set back (NTP, a resumed VM) would silence the log.
    const now = performance.now();
    if (now - this.windowStart >= 60_000) {
      if (this.leftOut > 0) leftOut(this.leftOut);
      this.windowStart = now;
      this.used = 0;
      this.leftOut = 0;
    }
    if (this.used === this.perMinute) {
      this.leftOut++;
      return false;
    }
    this.used++;
    return true;
  }
}
