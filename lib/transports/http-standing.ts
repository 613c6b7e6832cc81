import { Observable, retry, throwError, timer, type ObservableInput } from 'rxjs';
import { RpcError, TransportError } from '../protocol/errors';
import { bodyOf, openStream, streamFailure } from './http-events';
import type { HttpEndpoint } from './http-fetch';
import { readEvents } from './sse-events';

/** A delay as `retry({ delay })` takes it: `backoff()` is one. */
export type ReconnectDelay = (error: unknown, retryCount: number) => ObservableInput<unknown>;

/**
 * The standing GET event stream of an HTTP connection, for what the server sends outside
 * any call. Cold: each subscription holds one GET open at a time; emits `true` when a
 * stream opens and `false` when it ends. A stream that ends or breaks, or a GET that fails
 * for a retryable reason (no answer, 5xx, 408/425/429), is opened again after `delay` (or
 * the server's `retry:` time), resuming from the last event id; the count restarts once a
 * stream has opened. Completes when the server offers no stream (405); errors with the
 * `TransportError` of any other refusal, or of a failure `delay` gives up on.
 * Unsubscribing aborts the GET.
 */
export function standingStream$(
  endpoint: HttpEndpoint,
  data: (data: string) => void,
  delay: ReconnectDelay,
): Observable<boolean> {
  // Lifetime: the subscription's, across every GET it makes.
  let lastId: string | undefined;
  let serverRetry: number | undefined;
  const sink = { data, id: (id: string) => (lastId = id), retry: (ms: number) => (serverRetry = ms) };
  const once$ = new Observable<boolean>((subscriber) => {
    // Lifetime: one GET.
    const controller = new AbortController();
    let open = false;
    void openStream(endpoint, controller.signal, lastId)
      .then((response) => {
        open = true;
        subscriber.next(true);
        return readEvents(bodyOf(response), endpoint.maxFrameSize, endpoint.url, sink);
      })
      .then(
        () => new TransportError(`The event stream from ${endpoint.url} ended`, { retryable: true }),
        (cause: unknown) => streamFailure(endpoint.url, cause),
      )
      .then((error) => {
        if (open) subscriber.next(false);
        if (error instanceof TransportError && error.status === 405) subscriber.complete();
        else subscriber.error(error);
      });
    return () => controller.abort();
  });
  return once$.pipe(
    retry({
      resetOnSuccess: true,
      delay: (error: unknown, count) => {
        if (!(error instanceof RpcError) || !error.retryable) return throwError(() => error);
        // The server's `retry:` may lengthen the wait, never make it shorter than 1 s: `retry: 0` is no loop of GETs.
        return serverRetry === undefined ? delay(error, count) : timer(Math.max(serverRetry, 1_000));
      },
    }),
  );
}

/** Doubles from 1 s to 30 s: what the standing stream waits without a `reconnect` option. */
export function doubling(_error: unknown, retryCount: number): Observable<0> {
  return timer(Math.min(30_000, 1_000 * 2 ** (retryCount - 1)));
}
