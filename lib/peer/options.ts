import type { SchedulerLike } from 'rxjs';
import type { JsonRpcId, JsonRpcParams } from '../protocol/messages';

/**
 * The notification a peer sends when a call is abandoned before its answer
 * (unsubscribed, timed out), e.g. LSP's `$/cancelRequest`.
 */
export interface CancelNotification {
  /** The notification's method, e.g. `'$/cancelRequest'`. */
  readonly method: string;
  /** The notification's params for the abandoned call's id, e.g. `(id) => ({ id })`. */
  readonly params: (id: JsonRpcId) => JsonRpcParams;
}

/** Options of `connect()`, grouped by feature. Every one has a default. */
export interface PeerOptions {
  /**
   * Milliseconds a call waits for its answer (counted from subscription, so time spent
   * waiting for the connection counts) before it errors with `RequestTimeoutError`.
   * `0` or `Infinity` waits forever. Each call can override it.
   * @default 30_000
   */
  readonly timeout?: number;
  /**
   * Makes the id of each outgoing call. Ids must be unique among calls in flight.
   * @default increasing integers from 1
   */
  readonly nextId?: () => JsonRpcId;
  /**
   * A notification to send when a call is abandoned before its answer.
   * @default undefined (the call is forgotten silently; a late answer is dropped)
   */
  readonly cancel?: CancelNotification;
  /**
   * What to do with a binary frame: `'report'` drops it and reports a `ProtocolError` on
   * `errors$`; `'utf8'` decodes it as UTF-8 text (for servers that send JSON in binary frames).
   * @default 'report'
   */
  readonly binaryFrames?: 'report' | 'utf8';
  /**
   * The scheduler for timeouts (a `TestScheduler` or virtual-time scheduler in tests).
   * @default asyncScheduler
   */
  readonly scheduler?: SchedulerLike;
}

/** The default of every option of {@link PeerOptions}, for users to read and compose. */
export const peerDefaults = {
  timeout: 30_000,
  binaryFrames: 'report',
} as const satisfies PeerOptions;

/** Per-call options of `request$()` and `request()`. */
export interface RequestOptions {
  /**
   * Milliseconds this call waits for its answer; `0` or `Infinity` waits forever.
   * @default the peer's `timeout`
   */
  readonly timeout?: number;
}
