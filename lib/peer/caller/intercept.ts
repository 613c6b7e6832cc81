import { defer, firstValueFrom, type Observable } from 'rxjs';
import type { JsonRpcParams } from '../../protocol/messages';
import type { Interceptor, InterceptorNext, RequestOptions } from '../options';
import type { Calls } from './calls';

/**
 * `calls` with every call going through `interceptors`, the first one outermost; `calls`
 * itself when there are none, so that a peer without interceptors pays one test, once.
 */
export function intercept(calls: Calls, interceptors: readonly Interceptor[] | undefined): Calls {
  if (interceptors === undefined || interceptors.length === 0) return calls;
  // Lifetime: one chain per peer. `defer` runs an interceptor per subscription (a retry above
  // it runs it again) and turns what it throws into its own call's error.
  const chain = interceptors.reduceRight<InterceptorNext>(
    (next, interceptor) => (call) => defer(() => interceptor(call, next)),
    (call) => calls.request$(call.method, call.params, call.options),
  );
  const request$ = (method: string, params?: JsonRpcParams, options?: RequestOptions): Observable<unknown> =>
    chain({ method, params, options });
  return { request$, request: (method, params, options) => firstValueFrom(request$(method, params, options)) };
}
