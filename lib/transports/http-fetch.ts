import { messageOf, TransportError } from '../protocol/errors';
import type { HttpSession } from './http-session';

/**
 * The part of `fetch` the HTTP transport uses. Calls are POSTs with a `body`; a transport
 * with a session or a standing event stream also sends GET and DELETE requests, whose
 * `init` has no `body` (`fetch` refuses one for GET).
 */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string; signal: AbortSignal },
) => Promise<{
  /** The HTTP status code. */
  status: number;
  /** The HTTP status text, where the platform has it. */
  statusText?: string;
  /** The response headers, where the platform has them: `Content-Length` is checked before reading. */
  headers?: {
    /** The value of the header `name`, or null when the response has none. */
    get(name: string): string | null;
  };
  /** The body as a stream, where the platform has one: read chunk by chunk, within `maxFrameSize`. */
  body?: ReadableStream<Uint8Array> | null;
  /** Reads the whole body as text: used when there is no `body` stream. */
  text(): Promise<string>;
}>;

/** A response of {@link FetchLike}. */
export type FetchResponse = Awaited<ReturnType<FetchLike>>;

/** Everything a request to the endpoint needs; one per connection. */
export interface HttpEndpoint {
  readonly url: string;
  readonly fetch: FetchLike;
  readonly maxFrameSize: number;
  readonly session: HttpSession;
  /** The user's headers and authorization, made fresh for each request. */
  readonly headers: () => Record<string, string>;
}

/** What a request sends besides its method. */
interface Sent {
  readonly body?: string;
  readonly signal?: AbortSignal;
  readonly lastEventId?: string | undefined;
}

/**
 * Sends one request with the session's header (and `Last-Event-ID` when resuming), and lets
 * the session learn from the response. Rejects with a retryable `TransportError` when no
 * response came.
 */
export async function request(endpoint: HttpEndpoint, method: string, sent: Sent): Promise<FetchResponse> {
  const headers = endpoint.session.add({
    ...(sent.body === undefined ? {} : { 'content-type': 'application/json' }),
    accept: sent.body === undefined ? 'text/event-stream' : 'application/json, text/event-stream',
    ...endpoint.headers(),
  });
  if (sent.lastEventId !== undefined) headers['last-event-id'] = sent.lastEventId;
  const session = endpoint.session.current;
  // GET and DELETE have no body, which FetchLike's type (kept for the POSTs users' fetch wrappers read) cannot say.
  const fetchAny = endpoint.fetch as (url: string, init: object) => ReturnType<FetchLike>;
  let response: FetchResponse;
  try {
    response = await fetchAny(endpoint.url, { method, headers, body: sent.body, signal: sent.signal });
  } catch (cause) {
    const message = `HTTP ${method === 'POST' ? 'request' : method} to ${endpoint.url} failed: ${messageOf(cause)}`;
    throw new TransportError(message, { cause, retryable: true });
  }
  endpoint.session.learn(response, session);
  return response;
}

/** Whether a response is an event stream. */
export function isEventStream(response: FetchResponse): boolean {
  return /^\s*text\/event-stream/i.test(response.headers?.get('content-type') ?? '');
}
