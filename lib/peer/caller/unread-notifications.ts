import type { JsonRpcId } from '../../protocol/messages';

/** How many calls sent after a notification are watched for the answer that shows it was read. */
const watched = 64;

/**
 * The notifications an error without an id may answer. A server answers a notification it
 * cannot read or accept with such an error, and refuses a whole batch with one too; the
 * error is only the batch's when no notification explains it:
 * - one sent after the batch (whatever the server answered since), or
 * - one sent before it and not yet known to be read: a server reads a link in order, so an
 *   answer to a call sent after a notification shows that the notification was read.
 *
 * Only notifications sent as their own frame count: one inside an array is the array's.
 */
export class UnreadNotifications {
  /** Notifications sent as their own frame on this link (the last one's number). */
  private sent = 0;
  /** Of those, how many may still be unread. */
  private unread = 0;
  /** The number of the last notification used up as one sent after a batch: each explains one error. */
  private usedAfter = 0;
  /** Calls sent since the last notification (made at the first: most peers send none). */
  private after: Set<JsonRpcId> | undefined;

  /** `sent`: notifications already sent, none of them known to be read. */
  constructor(sent = 0) {
    this.sent = this.unread = sent;
  }

  /** A notification went out as its own frame. */
  notificationSent(): void {
    this.sent++;
    this.unread++;
    this.after?.clear();
  }

  /** A call went out: its answer will show that the notifications before it were read. */
  callSent(id: JsonRpcId): void {
    if (this.unread === 0) return;
    const after = (this.after ??= new Set<JsonRpcId>());
    if (after.size < watched) after.add(id);
  }

  /** The call `id` was answered. */
  answered(id: JsonRpcId): void {
    if (this.after?.has(id) === true) {
      this.unread = 0;
      this.after.clear();
    }
  }

  /** How many notifications have gone out so far: what a batch frame going out now keeps. */
  get count(): number {
    return this.sent;
  }

  /**
   * Whether a notification explains an error without an id (and uses it up), given how many
   * had gone out when the oldest batch frame with no answer yet did, if there is one.
   */
  explain(sentBeforeOldest: number | undefined): boolean {
    const next = Math.max(sentBeforeOldest ?? Infinity, this.usedAfter) + 1;
    if (next <= this.sent) {
      this.usedAfter = next;
      if (this.unread > 0) this.unread--;
      return true;
    }
    if (this.unread === 0) return false;
    this.unread--;
    return true;
  }

  /** The link is gone: the next one starts with nothing sent. */
  reset(): void {
    this.sent = this.unread = this.usedAfter = 0;
    this.after?.clear();
  }
}
