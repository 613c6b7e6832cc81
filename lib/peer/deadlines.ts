import type { SchedulerLike, Subscription } from 'rxjs';

interface Entry {
  readonly at: number;
  readonly fire: () => void;
  prev: Entry | undefined;
  next: Entry | undefined;
  removed: boolean;
}

/** The calls sharing one timeout length, in the order they were made, which is also their deadline order. */
interface Line {
  readonly ms: number;
  head: Entry | undefined;
  tail: Entry | undefined;
  timer: Subscription | undefined;
}

/**
 * Call timeouts without a timer per call. Calls with the same timeout expire in the order
 * they were made, so each timeout length keeps one linked list (O(1) to add and remove) and
 * one timer, set for the oldest deadline; when it fires it expires what is due and sets
 * itself for the next. A call answered in time costs two pointer updates, not a timer.
 */
export class Deadlines {
  private readonly lines = new Map<number, Line>();

  constructor(private readonly scheduler: SchedulerLike) {}

  /** Calls `fire` after `ms` unless the returned function is called first. */
  add(ms: number, fire: () => void): () => void {
    let line = this.lines.get(ms);
    if (line === undefined) {
      line = { ms, head: undefined, tail: undefined, timer: undefined };
      this.lines.set(ms, line);
    }
    const entry: Entry = { at: this.scheduler.now() + ms, fire, prev: line.tail, next: undefined, removed: false };
    if (line.tail === undefined) line.head = entry;
    else line.tail.next = entry;
    line.tail = entry;
    if (line.timer === undefined) this.arm(line, ms);
    const owner = line;
    return () => this.remove(owner, entry);
  }

  private remove(line: Line, entry: Entry): void {
    if (entry.removed) return;
    entry.removed = true;
    if (entry.prev === undefined) line.head = entry.next;
    else entry.prev.next = entry.next;
    if (entry.next === undefined) line.tail = entry.prev;
    else entry.next.prev = entry.prev;
    // An empty line keeps no timer (nothing may hold the process open for a call that has
    // ended) and leaves the map (timeouts of many lengths leave nothing behind).
    if (line.head === undefined) {
      line.timer?.unsubscribe();
      line.timer = undefined;
      if (this.lines.get(line.ms) === line) this.lines.delete(line.ms);
    }
  }

  private arm(line: Line, ms: number): void {
    const head = line.head;
    if (head === undefined) return;
    line.timer = this.scheduler.schedule(() => this.expire(line, ms), Math.max(0, head.at - this.scheduler.now()));
  }

  private expire(line: Line, ms: number): void {
    line.timer = undefined;
    const now = this.scheduler.now();
    for (let head = line.head; head !== undefined && head.at <= now; head = line.head) {
      this.remove(line, head);
      head.fire();
    }
    if (line.timer === undefined) this.arm(line, ms);
  }
}
