import type { JsonRpcId } from '../protocol/messages';

/** How many calls sent after a notification are watched for the answer that shows it was read. */
const watched = 64;

/** What a batch frame remembers of the notifications around it. */
export interface NotificationsAround {
  /** How many notifications had gone out on this link when the batch did. */
  readonly sentBefore: number;
  /** How many errors without an id the notifications sent after it have explained. */
  explainedAfter: number;
}

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
  /** Notifications sent as their own frame on this link. */
  private sent = 0;
  /** Of those, how many may still be unread. */
  private unread = 0;
  /** Calls sent since the last notification. */
  private readonly after = new Set<JsonRpcId>();

  /** A notification went out as its own frame. */
  notificationSent(): void {
    this.sent++;
    this.unread++;
    this.after.clear();
  }

  /** A call went out: its answer will show that the notifications before it were read. */
  callSent(id: JsonRpcId): void {
    if (this.unread > 0 && this.after.size < watched) this.after.add(id);
  }

  /** The call `id` was answered. */
  answered(id: JsonRpcId): void {
    if (this.after.size > 0 && this.after.has(id)) {
      this.unread = 0;
      this.after.clear();
    }
  }

  /** What a batch frame going out now keeps. */
  around(): NotificationsAround {
    return { sentBefore: this.sent, explainedAfter: 0 };
  }

  /**
   * Whether a notification explains an error without an id (and counts it as explained),
   * given the oldest batch frame with no answer yet, if any.
   */
  explain(oldest: NotificationsAround | undefined): boolean {
    if (oldest !== undefined && this.sent - oldest.sentBefore > oldest.explainedAfter) {
      oldest.explainedAfter++;
      if (this.unread > 0) this.unread--;
      return true;
    }
    if (this.unread === 0) return false;
    this.unread--;
    return true;
  }

  /** The link is gone: the next one starts with nothing sent. */
  reset(): void {
    this.sent = this.unread = 0;
    this.after.clear();
  }
}
