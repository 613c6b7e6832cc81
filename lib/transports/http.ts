import { Observable, Subject } from 'rxjs';
import { JsonRpcError, messageOf, TransportError, type RpcError } from '../protocol/errors';
import { fitsInUtf8 } from '../protocol/utf8-length';
import { isIdlessError, mayBeIdless, parseAnswer, retryableStatus } from './http-answers';
import type { Connection, FrameEnded, Frame, FrameWithCause, Transport } from './transport';

/** The part of `fetch` the HTTP transport uses. */
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

/** Options of {@link http}. */
export interface HttpOptions {
  /**
   * Headers of every request: an object, or a function called for each request (for a
   * token that changes).
   */
  readonly headers?: Record<string, string> | (() => Record<string, string>);
  /** Basic (`{ username, password }`) or bearer (`{ bearer }`) authorization. */
  readonly auth?:
    | {
        /** The user name of Basic authorization. */
        readonly username: string;
        /** The password of Basic authorization. */
        readonly password: string;
      }
    | {
        /** The token sent as `Authorization: Bearer <token>`. */
        readonly bearer: string;
      };
  /**
   * The fetch implementation.
   * @default globalThis.fetch
   */
  readonly fetch?: FetchLike;
  /**
   * The largest response body to read, in bytes. A `Content-Length` above it is refused
   * before the body is read; otherwise the body is read as it arrives and the request is
   * aborted as soon as it passes the limit. Either way the calls of that frame fail with a
   * non-retryable `TransportError` naming the URL, the limit and this option. With a
   * `fetch` whose responses have no `body` stream (only `text()`), the limit is checked
   * after the whole body was read: it then bounds what is kept, not what is received.
   * @default 67_108_864 (64 MiB, like the stream framings)
   */
  readonly maxFrameSize?: number;
}

const bodyPreview = 200;
const defaultMaxFrameSize = 67_108_864;
const noop = () => undefined;

/**
 * A transport over HTTP: each frame (one call, or a batch) is one POST, and the response
 * body is the answer. A 204 or an empty body (the answer to notifications) is fine. A
 * non-2xx status whose body is a JSON-RPC answer is that answer: a call gets the server's
 * `JsonRpcError`, whose `cause` is a `TransportError` with the `status`. Any other body
 * with a non-2xx status fails the calls of that frame with `TransportError` carrying
 * `status` and the start of the body, retryable only for 408, 425, 429 and 503 (statuses
 * that say the call was not run: POST is not a safe method). A body over `maxFrameSize`
 * (64 MiB) fails them with a non-retryable `TransportError`, read no further.
 * Unsubscribing a call aborts its request. HTTP carries nothing from the server on its own:
 * no notifications, no calls to handlers.
 *
 * @example
 * ```ts
 * const rpc = connect(http('https://rpc.example.org', { auth: { bearer: token } }));
 * const block = await rpc.request('eth_blockNumber');
 * ```
 */
export function http(url: string, options: HttpOptions = {}): Transport {
  return {
    connect: () =>
      new Observable<Connection>((subscriber) => {
        // Missing on older platforms, whatever its type says.
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
        const fetchImpl = options.fetch ?? (globalThis.fetch as FetchLike | undefined);
        if (fetchImpl === undefined) {
          subscriber.error(new TransportError('No fetch implementation: pass options.fetch'));
          return;
        }
        const frames = new Subject<Frame>();
        const framesWithCause = new Subject<FrameWithCause>();
        const maxFrameSize = options.maxFrameSize ?? defaultMaxFrameSize;
        const inFlight = new Set<() => void>();
        const post = (frame: string, ended?: FrameEnded) => {
          const controller = new AbortController();
          // Abandoned by the peer: nobody waits for the outcome. Aborted for a body too large: report it.
          let abandoned = false;
          const abandon = () => {
            abandoned = true;
            controller.abort();
          };
          inFlight.add(abandon);
          exchange(fetchImpl, url, headersOf(options), frame, controller, maxFrameSize)
            .then(
              ({ body, cause }) => {
                if (cause !== undefined) framesWithCause.next({ frame: body, cause });
                else if (body !== '') frames.next(body);
                // Calls the body left unanswered fail with what its status said.
                ended?.(cause);
              },
              (error: unknown) => {
                // readBody() rejects only with RpcErrors
                if (!abandoned) ended?.(error as RpcError);
              },
            )
            .finally(() => inFlight.delete(abandon));
          return abandon;
        };
        const abortAll = () => {
          for (const abandon of inFlight) abandon();
        };
        subscriber.next({
          info: { transport: 'http', url, duplex: false },
          frames$: frames.asObservable(),
          framesWithCause$: framesWithCause.asObservable(),
          send: post,
          // Nothing stays open between requests: closing only abandons those in flight.
          close: abortAll,
        });
        return () => {
          abortAll();
          frames.complete();
          framesWithCause.complete();
        };
      }),
  };
}

/** A response body to dispatch, with the failure of its HTTP status when it had one. */
interface Answered {
  readonly body: string;
  readonly cause?: TransportError;
}

/**
 * POSTs one frame and resolves with the response body (a JSON-RPC answer sent with an
 * error status comes with that status as its `cause`); rejects with TransportError, or with the JsonRpcError of an error without an id sent with an error status.
 */
async function exchange(
  fetchImpl: FetchLike,
  url: string,
  headers: Record<string, string>,
  body: string,
  controller: AbortController,
  maxFrameSize: number,
): Promise<Answered> {
  let response: FetchResponse;
  try {
    response = await fetchImpl(url, { method: 'POST', headers, body, signal: controller.signal });
  } catch (cause) {
    throw new TransportError(`HTTP request to ${url} failed: ${messageOf(cause)}`, { cause, retryable: true });
  }
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
  const ok = response.status >= 200 && response.status <= 299;
  if (ok && (response.status === 204 || !mayBeIdless(text)))
    return { body: response.status === 204 ? '' : text.trim() };
  const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''} from ${url}`;
  const retryable = retryableStatus(response.status);
  // The server's own answer wins over its status: it ran the call and said how it failed
  // (retryable when the status says it did not run it: a 429 with the server's error).
  const answer = parseAnswer(text);
  if (answer !== undefined) {
    const cause = ok ? undefined : new TransportError(status, { status: response.status, retryable });
    // Without an id it answers the whole POST, which only this transport can tell apart.
    if (isIdlessError(answer)) throw JsonRpcError.fromObject(answer.error, cause);
    return { body: text.trim(), cause };
  }
  if (ok) return { body: text.trim() };
  const excerpt = text.length > bodyPreview ? `${text.slice(0, bodyPreview)}…` : text;
  throw new TransportError(`${status}${excerpt ? `: ${excerpt}` : ''}`, { status: response.status, retryable });
}

type FetchResponse = Awaited<ReturnType<FetchLike>>;

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

function headersOf(options: HttpOptions): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json',
    ...(typeof options.headers === 'function' ? options.headers() : options.headers),
  };
  const auth = options.auth;
  if (auth !== undefined) {
    headers.authorization =
      'bearer' in auth ? `Bearer ${auth.bearer}` : `Basic ${base64(`${auth.username}:${auth.password}`)}`;
  }
  return headers;
}

/** Base64 of the UTF-8 bytes of `text` (btoa alone takes Latin-1 only). */
function base64(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}
