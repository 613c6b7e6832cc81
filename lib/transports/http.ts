import { Observable, Subject } from 'rxjs';
import { messageOf, TransportError } from '../protocol/errors';
import type { Connection, FrameEnded, Frame, Transport } from './transport';

/** The part of `fetch` the HTTP transport uses. */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string; signal: AbortSignal },
) => Promise<{
  /** The HTTP status code. */
  status: number;
  /** The HTTP status text, where the platform has it. */
  statusText?: string;
  /** Reads the whole body as text. */
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
}

const bodyPreview = 200;

/**
 * A transport over HTTP: each frame (one call, or a batch) is one POST, and the response
 * body is the answer. A 204 or an empty body (the answer to notifications) is fine. A
 * non-2xx status fails the calls of that frame with `TransportError` carrying `status` and
 * the start of the body. Unsubscribing a call aborts its request. HTTP carries nothing
 * from the server on its own: no notifications, no calls to handlers.
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
        const fetchImpl = options.fetch ?? (globalThis.fetch as unknown as FetchLike | undefined);
        if (fetchImpl === undefined) {
          subscriber.error(new TransportError('No fetch implementation: pass options.fetch'));
          return;
        }
        const frames = new Subject<Frame>();
        const inFlight = new Set<AbortController>();
        const post = (frame: string, ended?: FrameEnded) => {
          const controller = new AbortController();
          inFlight.add(controller);
          exchange(fetchImpl, url, headersOf(options), frame, controller.signal)
            .then(
              (body) => {
                if (body !== '') frames.next(body);
                ended?.();
              },
              (error: unknown) => {
                if (!controller.signal.aborted) ended?.(error as TransportError);
              },
            )
            .finally(() => inFlight.delete(controller));
          return () => controller.abort();
        };
        const abortAll = () => {
          for (const controller of inFlight) controller.abort();
        };
        subscriber.next({
          info: { transport: 'http', url, duplex: false },
          frames$: frames.asObservable(),
          send: post,
          // Nothing stays open between requests: closing only abandons those in flight.
          close: abortAll,
        });
        return () => {
          abortAll();
          frames.complete();
        };
      }),
  };
}

/** POSTs one frame and resolves with the response body; rejects with TransportError. */
async function exchange(
  fetchImpl: FetchLike,
  url: string,
  headers: Record<string, string>,
  body: string,
  signal: AbortSignal,
): Promise<string> {
  let response: Awaited<ReturnType<FetchLike>>;
  try {
    response = await fetchImpl(url, { method: 'POST', headers, body, signal });
  } catch (cause) {
    throw new TransportError(`HTTP request to ${url} failed: ${messageOf(cause)}`, { cause, retryable: true });
  }
  const text = await response.text().catch(() => '');
  if (response.status < 200 || response.status > 299) {
    const excerpt = text.length > bodyPreview ? `${text.slice(0, bodyPreview)}…` : text;
    const retryable = response.status >= 500 || response.status === 408 || response.status === 429;
    throw new TransportError(
      `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''} from ${url}${excerpt ? `: ${excerpt}` : ''}`,
      { status: response.status, retryable },
    );
  }
  return response.status === 204 ? '' : text.trim();
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
