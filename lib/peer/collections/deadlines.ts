import type { SchedulerLike, Unsubscribable } from 'rxjs';

/** The longest delay a timer keeps (setTimeout's limit). */
const longestTimer = 2 ** 31 - 1;

/** Something with a deadline: a call that times out. */
export interface Expiring {
  /** The deadline passed (the entry is already out of its line). */
  expire(): void;
}

/** The calls sharing one timeout length, in the order they were made, which is also their deadline order. */
interface Line {
  readonly ms: number;
  head: Deadline | undefined;
  tail: Deadline | undefined;
  timer: Unsubscribable | undefined;
}

/**
 * One deadline in its line: what `Deadlines.add` returns and `Deadlines.remove` takes. An
 * object may be its own entry (see `Deadlines.enter`), so that a deadline costs no object.
 */
export interface Deadline {
  /** When it passes, on the scheduler's clock (set when it enters its line). */
  at: number;
  readonly target: Expiring;
  /** The line it is in; undefined once it has left (fired or removed). */
  line: Line | undefined;
  prev: Deadline | undefined;
  next: Deadline | undefined;
}

/**
 * Call timeouts without a timer per call. Calls with the same timeout expire in the order
 * they were made, so each timeout length keeps one linked list (O(1) to add and remove) and
 * one timer, set for the oldest deadline; when it fires it expires what is due and sets
 * itself for the next. A call answered in time costs two pointer updates, not a timer.
 */
export class Deadlines {
  // Made at the first deadline: a peer that never times a call out holds no table.
  private lines: Map<number, Line> | undefined;

  constructor(private readonly scheduler: SchedulerLike) {}

  /** Calls `target.expire()` after `ms` unless `remove` is called first with what this returns. */
  add(ms: number, target: Expiring): Deadline {
    const entry: Deadline = { at: 0, target, line: undefined, prev: undefined, next: undefined };
    this.enter(ms, entry);
    return entry;
  }

  /**
   * Calls `entry.target.expire()` `ms` after `from` (now by default) unless `remove(entry)`
   * comes first; `entry` must be in no line. An entry whose `from` is older than the line's
   * last (a handler's deadline entered when it returned, another having begun while it ran)
   * takes its place further up.
   */
  enter(ms: number, entry: Deadline, from = this.scheduler.now()): void {
    const lines = (this.lines ??= new Map<number, Line>());
    let line = lines.get(ms);
    if (line === undefined) {
      line = { ms, head: undefined, tail: undefined, timer: undefined };
      lines.set(ms, line);
    }
    entry.at = from + ms;
    entry.line = line;
    // From the tail: in the usual case the entry is the latest, and goes last at once.
    let before = line.tail;
    while (before !== undefined && before.at > entry.at) before = before.prev;
    const after = before === undefined ? line.head : before.next;
    entry.prev = before;
    entry.next = after;
    if (before === undefined) line.head = entry;
    else before.next = entry;
    if (after === undefined) line.tail = entry;
    else after.prev = entry;
    // A new head is due before what the timer waits for.
    if (line.head === entry) {
      line.timer?.unsubscribe();
      line.timer = undefined;
    }
    if (line.timer === undefined) this.arm(line);
  }

  /** Whether `entry` is in its line and due now (its timer may not have fired yet). */
  isDue(entry: Deadline): boolean {
    return entry.line !== undefined && entry.at <= this.scheduler.now();
  }

  /** Takes a deadline out before it passes; does nothing once it has fired or been removed. */
  remove(entry: Deadline): void {
    const line = entry.line;
    if (line === undefined) return;
    entry.line = undefined;
    if (entry.prev === undefined) line.head = entry.next;
    else entry.prev.next = entry.next;
    if (entry.next === undefined) line.tail = entry.prev;
    else entry.next.prev = entry.prev;
    // A removed entry links to nothing: an old one would keep the younger ones alive after it.
    entry.prev = entry.next = undefined;
    // An empty line keeps no timer (a pending timer would hold a script open, or keep an
    // Angular app from being stable, for a call that has ended) and leaves the map
    // (timeouts of many lengths leave nothing behind).
    if (line.head === undefined) {
      line.timer?.unsubscribe();
      line.timer = undefined;
      if (this.lines?.get(line.ms) === line) this.lines.delete(line.ms);
    }
  }

  private arm(line: Line): void {
    const head = line.head;
    if (head === undefined) return;
    // Timers take at most 2^31 - 1 ms (about 24.8 days): a longer wait fires at once in Node,
    // and would re-arm at once, forever. Waiting the most and arming again is the same wait.
    const wait = Math.min(longestTimer, Math.max(0, head.at - this.scheduler.now()));
    line.timer = this.scheduler.schedule(() => this.expire(line), wait);
  }

  private expire(line: Line): void {
    line.timer = undefined;
    const now = this.scheduler.now();
    for (let head = line.head; head !== undefined && head.at <= now; head = line.head) {
      this.remove(head);
      head.target.expire();
    }
    // An expired call may have added a deadline to this line, which armed its timer again.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- narrowed before those calls
    if (line.timer === undefined) this.arm(line);
  }
}
