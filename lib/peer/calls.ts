import { filter, finalize, firstValueFrom, map, share, tap, type Observable } from 'rxjs';
import type { JsonRpcParams } from '../protocol/messages';
import type { RequestOptions } from './options';
import { requestWithProgress$, type ProgressContext, type ProgressEvent } from './progress';
import type { CallContext } from './call';
import { request, request$ } from './request';

/** The calling side of a peer, as its public methods. */
export interface Calls {
  readonly request$: (method: string, params?: JsonRpcParams, options?: RequestOptions) => Observable<unknown>;
  readonly request: (method: string, params?: JsonRpcParams, options?: RequestOptions) => Promise<unknown>;
  readonly requestWithProgress$: (
    method: string,
    params?: JsonRpcParams,
    options?: RequestOptions,
  ) => Observable<ProgressEvent<unknown>>;
}

/** Makes the calling methods: plain calls, calls with progress (`onProgress`), and shared calls (`share`). */
export function createCalls(context: CallContext, progress: ProgressContext): Calls {
  // Lifetime of an entry: from the first subscriber of a shared call until it ends.
  const shared = new Map<string, Observable<unknown>>();

  const single$ = (method: string, params?: JsonRpcParams, options?: RequestOptions): Observable<unknown> => {
    const onProgress = options?.onProgress;
    if (onProgress === undefined) return request$(context, method, params, options);
    return requestWithProgress$<unknown, unknown>(progress, method, params, options).pipe(
      tap((event) => event.kind === 'progress' && onProgress(event.progress)),
      filter((event) => event.kind === 'result'),
      map((event) => (event as { result: unknown }).result),
    );
  };

  const call$ = (method: string, params?: JsonRpcParams, options?: RequestOptions): Observable<unknown> => {
    if (options?.share !== true) return single$(method, params, options);
    let key: string;
    try {
      key = `${method}\u0000${(JSON.stringify(params) as string | undefined) ?? ''}`;
    } catch {
      return single$(method, params, options); // It errors with the reason, as any call would.
    }
    let call = shared.get(key);
    if (call === undefined) {
      const made: Observable<unknown> = single$(method, params, options).pipe(
        finalize(() => shared.get(key) === made && shared.delete(key)),
        share(),
      );
      shared.set(key, made);
      call = made;
    }
    return call;
  };

  return {
    request$: call$,
    // The plain Promise form settles straight from the answer: no Observable in between.
    request: (method, params, options) =>
      options?.onProgress === undefined && options?.share !== true
        ? request(context, method, params, options)
        : firstValueFrom(call$(method, params, options)),
    requestWithProgress$: (method, params, options) => requestWithProgress$(progress, method, params, options),
  };
}
