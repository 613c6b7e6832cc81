import type { Observable, SchedulerLike } from 'rxjs';
import type { JsonRpcParams } from '../protocol/messages';
import type { CallContext } from './caller/call';
import { request$ } from './caller/request';
import { heartbeat$ } from './link/heartbeat';
import type { HeartbeatOptions, RequestOptions } from './options';

/**
 * The liveness check of each link: heartbeat calls, which skip the concurrency limit (slow
 * calls must not make a live link look dead). Made only for a peer with a heartbeat.
 */
export function heartbeatOf(
  heartbeat: HeartbeatOptions,
  context: CallContext,
  scheduler: SchedulerLike,
): () => Observable<never> {
  const own: CallContext = { ...context, slots: undefined, own: true };
  const call = (method: string, params: JsonRpcParams | undefined, callOptions: RequestOptions) =>
    request$(own, method, params, callOptions);
  return () => heartbeat$(heartbeat, call, scheduler);
}
