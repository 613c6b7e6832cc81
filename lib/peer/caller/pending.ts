import type { JsonRpcId } from '../../protocol/messages';
import { UnreadNotifications } from './unread-notifications';
import { YoungMap } from '../collections/young-map';

/** A call sent and awaiting its answer. */
export interface PendingCall {
  readonly method: string;
  /** Its answer came: called once the call is out of the map. */
  resolve(result: unknown): void;
  /** It failed (an error answer, or the link): called once the call is out of the map. */
  reject(error: unknown): void;
  /** Whether this is one of the peer's own calls (a heartbeat), not the user's. */
  readonly own?: boolean;
}

/** How many abandoned ids are remembered, so that their late answers are dropped quietly. */
const rememberedAbandoned = 1024;

/** The request ids of one batch frame we sent, and how many of them still wait. */
interface SentBatch {
  readonly ids: readonly JsonRpcId[];
  waiting: number;
  /** How many notifications had gone out as their own frame when this batch did. */
  readonly notificationsBefore: number;
}

/**
 * The calls awaiting an answer, by id: the O(1) routing table of responses.
 * `1` and `"1"` are different keys, as the specification wants.
 */
export class PendingCalls {
  private readonly calls = new YoungMap<JsonRpcId, PendingCall>();
  // The collections below are made when first needed: most peers never abandon or batch a call,
  // and a server holds a peer per connection.
  private abandoned: Set<JsonRpcId> | undefined;
  /** The batch frame each batched call went out in, by member id (only batched calls are here). */
  private batches: Map<JsonRpcId, SentBatch> | undefined;
  /** Batch frames no answer has come for yet, oldest first. */
  private unanswered: Set<SentBatch> | undefined;
  /** The notifications an error without an id may answer instead of a batch. */
  // Made at the first notification sent: a peer that sends none (most of a server's) has none.
  private notifications: UnreadNotifications | undefined;

  /** `sentBefore`: notifications sent as their own frame on this link before the table was made. */
  constructor(sentBefore = 0) {
    if (sentBefore > 0) this.notifications = new UnreadNotifications(sentBefore);
  }

  get size(): number {
    return this.calls.size;
  }

  /** How many of the user's calls were written and wait, leaving out the peer's own and `held` ones; walks the map. */
  inFlight(held: ReadonlySet<JsonRpcId>): number {
    let size = 0;
    for (const [id, call] of this.calls.entries()) if (call.own !== true && !held.has(id)) size++;
    return size;
  }

  has(id: JsonRpcId): boolean {
    return this.calls.has(id);
  }

  add(id: JsonRpcId, call: PendingCall): void {
    this.calls.set(id, call);
    this.notifications?.callSent(id);
  }

  /** Removes and returns the call answered by `id`, if one waits. */
  take(id: JsonRpcId): PendingCall | undefined {
    const call = this.calls.get(id);
    if (call !== undefined) this.calls.delete(id);
    if (this.batches !== undefined && this.batches.size > 0) this.leaveBatch(id, true);
    this.notifications?.answered(id);
    return call;
  }

  /** A notification went out as its own frame: an error without an id may answer it. */
  notificationSent(): void {
    (this.notifications ??= new UnreadNotifications()).notificationSent();
  }

  /** Records that these calls went out in one batch frame, to be answered in one array. */
  markBatch(ids: readonly JsonRpcId[]): void {
    const batch: SentBatch = { ids, waiting: 0, notificationsBefore: this.notifications?.count ?? 0 };
    for (const id of ids) {
      if (!this.calls.has(id)) continue;
      (this.batches ??= new Map()).set(id, batch);
      batch.waiting++;
    }
    if (batch.waiting > 0) (this.unanswered ??= new Set()).add(batch);
  }

  /** The ids of the batch frame `id` went out in, if it went out in one and still waits. */
  batchOf(id: JsonRpcId): readonly JsonRpcId[] | undefined {
    return this.batches?.get(id)?.ids;
  }

  /**
   * Takes out the calls still waiting from the batch frame an error without an id refuses:
   * our oldest batch frame that no answer has come for yet, unless a notification explains
   * the error (see `UnreadNotifications`) and its message does not name a batch.
   */
  takeRefusedBatch(message: string): [JsonRpcId, PendingCall][] {
    const batch = this.unanswered?.values().next().value;
    if (!/batch/i.test(message) && this.notifications?.explain(batch?.notificationsBefore) === true) return [];
    if (batch === undefined) return [];
    this.unanswered?.delete(batch);
    const calls: [JsonRpcId, PendingCall][] = [];
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the batch map holds only ids that still wait
    for (const id of batch.ids) if (this.batches?.get(id) === batch) calls.push([id, this.take(id)!]);
    return calls;
  }

  /** `id` leaves its batch: answered (so is its batch), or forgotten. */
  private leaveBatch(id: JsonRpcId, answered: boolean): void {
    const batch = this.batches?.get(id);
    if (batch === undefined) return;
    this.batches?.delete(id);
    if (--batch.waiting === 0 || answered) this.unanswered?.delete(batch);
  }

  /**
   * Forgets `call` if it still waits (it was unsubscribed or timed out) and remembers its
   * id as abandoned. Returns whether it was waiting.
   */
  abandon(id: JsonRpcId, call: PendingCall): boolean {
    if (this.calls.get(id) !== call) return false;
    this.calls.delete(id);
    this.leaveBatch(id, false);
    const abandoned = (this.abandoned ??= new Set());
    abandoned.add(id);
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the set is not empty: it has just passed its size
    if (abandoned.size > rememberedAbandoned) abandoned.delete(abandoned.values().next().value!);
    return true;
  }

  /** Whether `id` belonged to a call abandoned recently (its answer is late, not unknown). */
  wasAbandoned(id: JsonRpcId): boolean {
    return this.abandoned?.delete(id) ?? false;
  }

  /** Removes every waiting call and errors each with the error `failure` makes for it. */
  failAll(failure: (id: JsonRpcId, method: string) => Error): void {
    const calls = [...this.calls.entries()];
    this.calls.clear();
    this.batches = undefined;
    this.unanswered = undefined;
    this.notifications?.reset();
    for (const [id, call] of calls) call.reject(failure(id, call.method));
  }
}
