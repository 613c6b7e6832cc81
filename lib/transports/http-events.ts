import { messageOf, RpcError, TransportError } from '../protocol/errors';
import { isPlainObject } from '../protocol/guards';
import { isEventStream, request, type FetchResponse, type HttpEndpoint } from './http-fetch';
import { retryableStatus } from './http-answers';
import { readEvents } from './sse-events';

/** How often an answer stream is resumed in a row after failures (a drop, a failed GET) without an event in between. */
const resumes = 3;
/** The wait before resuming, until the server's `retry:` field says another. */
const defaultRetry = 1_000;
/** The shortest wait a server's `retry:` may ask for: `retry: 0` must not make a loop of GETs. */
const minRetry = 250;
/** The longest a timer can wait (2^31 - 1 ms): a longer `retry:` would fire at once. */
const maxRetry = 2_147_483_647;
/** The most resumes of one answer stream: a server that drops it after every event cannot resume it forever. */
const maxResumes = 100;

/**
 * Reads the event stream that answers a POST to its end, every message to `data`. Resumes it
 * with a GET carrying `Last-Event-ID` (the MCP and WHATWG rule), after the server's `retry:`
 * time (250 ms at least), when it drops after an event with an id, when it ends cleanly
 * after one before any answer came (MCP's polling), and when such a GET fails for a reason
 * worth another try (no response, 5xx, 408/425/429): at most 3 times in a row without a
 * message in between, 100 times in all. Rejects with `TransportError` when the stream fails
 * and cannot be resumed, or with nothing useful once `signal` aborts.
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
  // An object: set inside readEvents(), so that the check after it is not narrowed away.
  const seen = { answer: false };
  const sink = {
    data: (text: string) => {
      failures = 0;
      seen.answer ||= isAnswer(text);
      data(text);
    },
    id: (id: string) => (lastId = id),
    retry: (ms: number) => (wait = Math.min(Math.max(ms, minRetry), maxRetry)),
  };
  let current: FetchResponse | undefined = response;
  for (;;) {
    let failure: RpcError | undefined;
    try {
      current ??= await openStream(endpoint, signal, lastId);
      await readEvents(bodyOf(current), endpoint.maxFrameSize, endpoint.url, sink);
      // Ended cleanly: over, unless the server closed it after an event id before answering (MCP polling).
      if (seen.answer || lastId === undefined) return;
    } catch (cause) {
      failure = streamFailure(endpoint.url, cause);
      // A refusal (404: the session is gone), an event too large, or no id to resume from: final.
      if (signal.aborted || !failure.retryable || lastId === undefined || ++failures > resumes) throw failure;
    }
    if (++resumed > maxResumes) {
      throw failure ?? new TransportError(`The event stream from ${endpoint.url} ended unanswered ${maxResumes} times`);
    }
    await sleep(wait, signal);
    current = undefined;
  }
}

/**
 * Whether the data of an event holds an answer (a message without `method`, or a batch with
 * one). Only text that names a `method` is parsed again: the peer parses every message anyway.
 */
function isAnswer(text: string): boolean {
  if (!text.includes('"method"')) return true;
  try {
    const value: unknown = JSON.parse(text);
    return (Array.isArray(value) ? value : [value]).some(
      (message) => !isPlainObject(message) || !('method' in message),
    );
  } catch {
    // No JSON is no call either: the peer reports it, and nothing is worth resuming for it.
    return true;
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
