import { messageOf, RpcError, TransportError } from '../protocol/errors';
import { isEventStream, request, type FetchResponse, type HttpEndpoint } from './http-fetch';
import { retryableStatus } from './http-answers';
import { EventTooLarge, readEvents } from './sse-events';

/** How often a dropped answer stream is resumed in a row without an event in between. */
const resumes = 3;
/** The wait before resuming, until the server's `retry:` field says another. */
const defaultRetry = 1_000;
/** The shortest wait a server's `retry:` may ask for: `retry: 0` must not make a loop of GETs. */
const minRetry = 250;
/** The most resumes of one answer stream: a server that drops it after every event cannot resume it forever. */
const maxResumes = 100;

/**
 * Reads the event stream that answers a POST to its end, every message to `data`. When it
 * drops after an event with an id, resumes it with a GET carrying `Last-Event-ID` (the
 * MCP and WHATWG rule), after the server's `retry:` time. Rejects with `TransportError`
 * when the stream fails and cannot be resumed, or with nothing useful once `signal` aborts.
 */
export async function followEvents(
  endpoint: HttpEndpoint,
  response: FetchResponse,
  signal: AbortSignal,
  data: (data: string) => void,
): Promise<void> {
  let lastId: string | undefined;
  let wait = defaultRetry;
  let failures = 0;
  let resumed = 0;
  const sink = {
    data: (text: string) => {
      failures = 0;
      data(text);
    },
    id: (id: string) => (lastId = id),
    retry: (ms: number) => (wait = Math.max(ms, minRetry)),
  };
  for (;;) {
    try {
      await readEvents(bodyOf(response), endpoint.maxFrameSize, endpoint.url, sink);
      return;
    } catch (cause) {
      const error = streamFailure(endpoint.url, cause);
      const givenUp = ++failures > resumes || ++resumed > maxResumes;
      if (signal.aborted || cause instanceof EventTooLarge || lastId === undefined || givenUp) throw error;
      await sleep(wait, signal);
      response = await openStream(endpoint, signal, lastId);
    }
  }
}

/**
 * GETs an event stream (the standing one, or a resumed answer stream) with the session and
 * `lastEventId`. Rejects with `TransportError` carrying the status when the answer is no
 * event stream: 405 says the server offers none.
 */
export async function openStream(
  endpoint: HttpEndpoint,
  signal: AbortSignal,
  lastEventId: string | undefined,
): Promise<FetchResponse> {
  const response = await request(endpoint, 'GET', { signal, lastEventId });
  const { status } = response;
  if (status >= 200 && status <= 299 && isEventStream(response)) return response;
  response.body?.cancel().catch(() => undefined);
  const what = status >= 200 && status <= 299 ? 'not an event stream' : `HTTP ${status}`;
  const message = `GET ${endpoint.url} for an event stream got ${what}`;
  // 5xx and the statuses that say "not now" are worth another try; a refusal is not.
  return Promise.reject(new TransportError(message, { status, retryable: status >= 500 || retryableStatus(status) }));
}

/** A response's body as a stream: made from `text()` for a fetch without streams (read whole, then parsed). */
export function bodyOf(response: FetchResponse): ReadableStream<Uint8Array> {
  if (response.body != null) return response.body;
  return new ReadableStream({
    start: async (controller) => {
      controller.enqueue(new TextEncoder().encode(await response.text()));
      controller.close();
    },
  });
}

/** What broke a stream, as an RpcError: a read that failed is worth another try. */
export function streamFailure(url: string, cause: unknown): RpcError {
  if (cause instanceof RpcError) return cause;
  return new TransportError(`The event stream from ${url} broke: ${messageOf(cause)}`, { cause, retryable: true });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const aborted = () => {
      clearTimeout(timer);
      reject(new TransportError('Aborted'));
    };
    // The listener goes with the wait: a stream resumed again and again must not pile them up on the call's signal.
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', aborted);
      resolve();
    }, ms);
    signal.addEventListener('abort', aborted, { once: true });
  });
}
