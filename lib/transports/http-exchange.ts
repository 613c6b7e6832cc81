import { JsonRpcError, messageOf, TransportError } from '../protocol/errors';
import { fitsInUtf8 } from '../protocol/utf8-length';
import { isIdlessError, mayBeIdless, parseAnswer, retryableStatus } from './http-answers';
import { followEvents } from './http-events';
import { isEventStream, request, type FetchResponse, type HttpEndpoint } from './http-fetch';

/** A response body to dispatch, with the failure of its HTTP status when it had one. */
export interface Answered {
  readonly body: string;
  readonly cause?: TransportError;
}

const bodyPreview = 200;
const noop = () => undefined;

/**
 * POSTs one frame and resolves with the response body (a JSON-RPC answer sent with an
 * error status comes with that status as its `cause`). An answer that is an event stream
 * hands each of its messages to `events` as it arrives and resolves with an empty body once
 * the stream ends. Rejects with TransportError, or with the JsonRpcError of an error without
 * an id sent with an error status.
 */
export async function exchange(
  endpoint: HttpEndpoint,
  frame: string,
  controller: AbortController,
  events: (data: string) => void,
): Promise<Answered> {
  const { url, maxFrameSize } = endpoint;
  const response = await request(endpoint, 'POST', { body: frame, signal: controller.signal });
  const tooLarge = (what: string) => {
    controller.abort();
    const message = `The response from ${url} ${what} maxFrameSize (${maxFrameSize} bytes): request aborted`;
    return new TransportError(message, { status: response.status, retryable: false });
  };
  const announced = Number(response.headers?.get('content-length'));
  if (announced > maxFrameSize) {
    void response.body?.cancel().catch(noop);
    throw tooLarge(`announces ${announced} bytes, more than`);
  }
  const ok = response.status >= 200 && response.status <= 299;
  if (ok && isEventStream(response)) {
    await followEvents(endpoint, response, controller.signal, events);
    return { body: '' };
  }
  let text: string | undefined;
  try {
    text = await readText(response, maxFrameSize);
  } catch (cause) {
    // A body cut short is no answer: its calls fail now rather than at their timeouts.
    const message = `The response from ${url} could not be read: ${messageOf(cause)}`;
    const status = response.status;
    throw new TransportError(message, { cause, status, retryable: retryableStatus(status) });
  }
  if (text === undefined) throw tooLarge('is larger than');
  const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''} from ${url}`;
  const body = text.trim();
  if (ok && body !== '' && response.status !== 204 && !mayBeJson(body)) {
    // A page or a word ("Accepted") is no frame: the peer would answer it with a POST of its own, answered alike.
    if (response.status === 202) return { body: '' };
    const type = response.headers?.get('content-type') ?? 'no content type';
    throw new TransportError(`${status} is not JSON (${type}): ${excerptOf(body)}`, { status: response.status });
  }
  if (ok && (response.status === 204 || !mayBeIdless(text))) return { body: response.status === 204 ? '' : body };
  const retryable = retryableStatus(response.status);
  // The server's own answer wins over its status: it ran the call and said how it failed
  // (retryable when the status says it did not run it: a 429 with the server's error).
  const answer = parseAnswer(text);
  if (answer !== undefined) {
    const cause = ok ? undefined : new TransportError(status, { status: response.status, retryable });
    // Without an id it answers the whole POST, which only this transport can tell apart.
    if (isIdlessError(answer)) throw JsonRpcError.fromObject(answer.error, cause);
    return { body, cause };
  }
  if (ok) return { body };
  throw new TransportError(`${status}${text ? `: ${excerptOf(text)}` : ''}`, { status: response.status, retryable });
}

/**
 * Whether a 2xx body may be JSON-RPC: an object or an array, by its ends. Its content type is
 * not asked: servers answer JSON-RPC as `text/html` (PHP's default) or `text/plain` too.
 */
function mayBeJson(body: string): boolean {
  return '{['.includes(body.charAt(0)) && '}]'.includes(body.charAt(body.length - 1));
}

function excerptOf(text: string): string {
  return text.length > bodyPreview ? `${text.slice(0, bodyPreview)}…` : text;
}

/**
 * The body as text, or `undefined` once it passes `limit` bytes. A stream is decoded chunk
 * by chunk (UTF-8 sequences split across chunks included), so no more than `limit` bytes
 * are ever held; `text()` alone can only be checked after the fact.
 */
async function readText(response: FetchResponse, limit: number): Promise<string | undefined> {
  if (response.body == null) {
    const text = await response.text();
    return fitsInUtf8(text, limit) ? text : undefined;
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const parts: string[] = [];
  let size = 0;
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    size += chunk.value.byteLength;
    if (size > limit) {
      void reader.cancel().catch(noop);
      return undefined;
    }
    parts.push(decoder.decode(chunk.value, { stream: true }));
  }
  parts.push(decoder.decode());
  return parts.join('');
}
