import type { Observable, SchedulerLike } from 'rxjs';
import type { JsonRpcParams } from '../protocol/messages';
import type { CallContext } from './caller/call';
import { request$ } from './caller/request';
import type { Batching, HeartbeatCalls, PeerOptions, Reconnect, RequestOptions } from './options';

/**
 * The `reconnect` option, checked: a JS user (no compiler to tell) may still pass the
 * `true` or options object of 0.1, which would silently not reconnect.
 */
export function reconnectOf(reconnect: Reconnect | false | undefined): Reconnect | undefined {
  return featureValue(reconnect, 'retryLinks', 'reconnect', 'reconnecting') || undefined;
}

/** The `batching` option, checked as `reconnect` is (`true` and plain options were 0.1's). */
export function batchingOf(batching: Batching | false | undefined): Batching | undefined {
  return featureValue(batching, 'schedule', 'batching', 'batchingCalls') || undefined;
}

/**
 * Throws the TypeError `connect()` would for `reconnect`, `heartbeat` and `batching` values of
 * 0.1: a server checks the peer options it starts with, rather than fail each connection.
 */
export function checkFeatureValues(
  options: Pick<PeerOptions, 'reconnect' | 'heartbeat' | 'batching'> | undefined,
): void {
  reconnectOf(options?.reconnect);
  featureValue(options?.heartbeat, 'liveness', 'heartbeat', 'heartbeatCalls');
  batchingOf(options?.batching);
}

/**
 * The liveness check of each link, for a peer with a `heartbeat` (checked as `reconnect` is):
 * its calls skip the concurrency limit (slow calls must not make a live link look dead).
 */
export function heartbeatOf(
  heartbeat: HeartbeatCalls | undefined,
  context: CallContext,
  scheduler: SchedulerLike,
): (() => Observable<never>) | undefined {
  const given = featureValue(heartbeat, 'liveness', 'heartbeat', 'heartbeatCalls');
  if (given === undefined) return undefined;
  // The peer's own parts, read through: some are made at first use (a copy would make its own).
  const own: CallContext = {
    connection: context.connection,
    get pending() {
      return context.pending;
    },
    timeout: context.timeout,
    get deadlines() {
      return context.deadlines;
    },
    cancel: context.cancel,
    slots: undefined,
    nextId: () => context.nextId(),
    get outbox() {
      return context.outbox;
    },
    notify: (method, params) => context.notify(method, params),
    own: true,
    codec: context.codec,
  };
  const call = (method: string, params: JsonRpcParams | undefined, callOptions: RequestOptions) =>
    request$(own, method, params, callOptions);
  return () => given.liveness(call, scheduler);
}

/** `value`, unless it is something given but not made by `make()` (plain data, as before 0.2.0): then a TypeError. */
function featureValue<T>(value: T, key: string, option: string, make: string): T {
  if (value && typeof (value as Record<string, unknown>)[key] !== 'function') {
    throw new TypeError(`connect(): ${option} takes ${make}(...) since 0.2.0: import { ${make} } from 'rx-jsonrpc'`);
  }
  return value;
}
