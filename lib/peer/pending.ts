import type { JsonRpcId } from '../protocol/messages';

/** A call sent and awaiting its answer. */
export interface PendingCall {
  readonly method: string;
  /** Its answer came: called once the call is out of the map. */
  resolve(result: unknown): void;
  /** It failed (an error answer, or the link): called once the call is out of the map. */
  reject(error: unknown): void;
}

/** How many abandoned ids are remembered, so that their late answers are dropped quietly. */
const rememberedAbandoned = 1024;

/**
 * The calls awaiting an answer, by id: the O(1) routing table of responses.
 * `1` and `"1"` are different keys, as the specification wants.
 */
export class PendingCalls {
  private readonly calls = new Map<JsonRpcId, PendingCall>();
  private readonly abandoned = new Set<JsonRpcId>();
  /** The ids sent together in one batch frame, by member id (only batched calls are here). */
  private readonly batches = new Map<JsonRpcId, readonly JsonRpcId[]>();

  get size(): number {
    return this.calls.size;
  }

  has(id: JsonRpcId): boolean {
    return this.calls.has(id);
  }

  add(id: JsonRpcId, call: PendingCall): void {
    this.calls.set(id, call);
  }

  /** Removes and returns the call answered by `id`, if one waits. */
  take(id: JsonRpcId): PendingCall | undefined {
    const call = this.calls.get(id);
    if (call !== undefined) this.calls.delete(id);
    if (this.batches.size > 0) this.batches.delete(id);
    return call;
  }

  /** Records that these calls went out in one batch frame, to be answered in one array. */
  markBatch(ids: readonly JsonRpcId[]): void {
    for (const id of ids) if (this.calls.has(id)) this.batches.set(id, ids);
  }

  /** The ids of the batch frame `id` went out in, if it went out in one and still waits. */
  batchOf(id: JsonRpcId): readonly JsonRpcId[] | undefined {
    return this.batches.get(id);
  }

  /**
   * Forgets `call` if it still waits (it was unsubscribed or timed out) and remembers its
   * id as abandoned. Returns whether it was waiting.
   */
  abandon(id: JsonRpcId, call: PendingCall): boolean {
    if (this.calls.get(id) !== call) return false;
    this.calls.delete(id);
    this.batches.delete(id);
    this.abandoned.add(id);
    if (this.abandoned.size > rememberedAbandoned) this.abandoned.delete(this.abandoned.values().next().value!);
    return true;
  }

  /** Whether `id` belonged to a call abandoned recently (its answer is late, not unknown). */
  wasAbandoned(id: JsonRpcId): boolean {
    return this.abandoned.delete(id);
  }

  /** Removes every waiting call and errors each with the error `failure` makes for it. */
  failAll(failure: (id: JsonRpcId, method: string) => Error): void {
    const calls = [...this.calls];
    this.calls.clear();
    this.batches.clear();
    for (const [id, call] of calls) call.reject(failure(id, call.method));
  }
}
