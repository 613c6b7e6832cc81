import { finalize, firstValueFrom, share, type Observable } from 'rxjs';
import type { JsonRpcParams } from '../../protocol/messages';
import type { RequestOptions } from '../options';
import type { CallContext } from './call';
import { encodeWith } from '../link/encode';
import { request, request$ } from './request';

/** The calling side of a peer, as its public methods. */
export interface Calls {
  readonly request$: (method: string, params?: JsonRpcParams, options?: RequestOptions) => Observable<unknown>;
  readonly request: (method: string, params?: JsonRpcParams, options?: RequestOptions) => Promise<unknown>;
}

/** Makes the calling methods: plain calls, and shared calls (`share`). */
export function createCalls(context: CallContext): Calls {
  // Lifetime of an entry: from the first subscriber of a shared call until it ends. Made at the
  // first shared call: a server holds a peer per connection, and most never share one.
  let shared: Map<string, Observable<unknown>> | undefined;

  const call$ = (method: string, params?: JsonRpcParams, options?: RequestOptions): Observable<unknown> => {
    if (options?.share !== true) return request$(context, method, params, options);
    let key: string;
    try {
      // The codec's text, as the call would be sent: params it can write share like any other.
      key = `${method}\u0000${params === undefined ? '' : context.codec === undefined ? JSON.stringify(params) : encodeWith(context.codec, params)}`;
    } catch {
      return request$(context, method, params, options); // It errors with the reason, as any call would.
    }
    const calls = (shared ??= new Map<string, Observable<unknown>>());
    let call = calls.get(key);
    if (call === undefined) {
      const made: Observable<unknown> = request$(context, method, params, options).pipe(
        finalize(() => calls.get(key) === made && calls.delete(key)),
        share(),
      );
      calls.set(key, made);
      call = made;
    }
    return call;
  };

  return {
    request$: call$,
    // The plain Promise form settles straight from the answer: no Observable in between.
    request: (method, params, options) =>
      options?.share === true
        ? firstValueFrom(call$(method, params, options))
        : request(context, method, params, options),
  };
}
