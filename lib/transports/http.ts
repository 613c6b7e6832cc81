import { Observable, Subject, type Subscription } from 'rxjs';
import { messageOf, RpcError, TransportError } from '../protocol/errors';
import { endSession } from './http-end-session';
import { exchange } from './http-exchange';
import type { FetchLike, HttpEndpoint } from './http-fetch';
import { HttpSession } from './http-session';
import { doubling, standingStream$, type ReconnectDelay } from './http-standing';
import type { Connection, FrameEnded, Frame, FrameWithCause, Transport } from './transport';

export type { FetchLike } from './http-fetch';
export type { ReconnectDelay } from './http-standing';

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
   *
   * An event stream is held to it event by event: an event (or a line that never ends)
   * larger than it aborts the stream, while a stream that never ends is read for as long as
   * it lasts, nothing of an event kept after it is handed on.
   */
  readonly maxFrameSize?: number;
  /**
   * The response header in which the server hands out a session id (`Mcp-Session-Id` in
   * MCP). The id is kept from the first response that carries one (visible ASCII, at most
   * 1024 characters; anything else is ignored), sent back in that header on every later
   * request of the connection, and ended with a `DELETE` when the connection closes (not
   * waited for, never an error, aborted after 2 s if the server has not answered). A 404 to
   * a request that carried it forgets it: the server has ended the session.
   * @default undefined (no session); `'Mcp-Session-Id'` with `mcp`
   * @example
   * ```ts
   * http('https://rpc.example.org/rpc', { sessionHeader: 'X-Session' });
   * ```
   */
  readonly sessionHeader?: string;
  /**
   * Holds a `GET` event stream open for what the server sends outside any call
   * (notifications, calls to handlers): opened once the first POST has been answered when
   * there is a `sessionHeader` (the session must exist first), at once otherwise. While it is
   * open, the connection's `info.duplex` is true, so `subscription$()` works over it. It is
   * opened again after `reconnect`'s delay when it ends or breaks, from the last event id
   * the server gave (`Last-Event-ID`); a 405 says the server offers none, and another
   * refusal (a 4xx) ends it too, reported on the peer's `errors$`; after a 404 (the session
   * has ended) it is opened again once a POST of the next session has been answered.
   * @default false; true with `mcp`
   * @example
   * ```ts
   * http('https://rpc.example.org/rpc', { standingStream: true, reconnect: backoff({ initial: 500 }) });
   * ```
   */
  readonly standingStream?: boolean;
  /**
   * The wait before the standing stream is opened again, shaped as `retry({ delay })` takes
   * it: `backoff()` is one. The server's `retry:` field, when it sent one, wins.
   * @default doubling from 1 s to 30 s
   */
  readonly reconnect?: ReconnectDelay;
  /**
   * MCP's Streamable HTTP transport: `sessionHeader: 'Mcp-Session-Id'` and `standingStream:
   * true`, unless given. Connect with `dialect: mcp()` for its cancel and progress.
   * @default false
   * @example
   * ```ts
   * import { connect, http, mcp } from 'rx-jsonrpc';
   *
   * const rpc = connect(http('http://127.0.0.1:3001/mcp', { mcp: true }), { dialect: mcp() });
   * ```
   */
  readonly mcp?: boolean;
}

const defaultMaxFrameSize = 67_108_864;

/**
 * A transport over HTTP: each frame (one call, or a batch) is one POST, and the response
 * body is the answer. A 204 or an empty body (the answer to notifications) is fine, and so is
 * a 202 whose body is not JSON (it is ignored). Another 2xx body that is no JSON object or
 * array (an HTML page, `Accepted`; whatever its content type says) fails the calls of that
 * frame with a non-retryable `TransportError` naming the status, the content type and the
 * start of the body; it never reaches the peer, which would answer it with a POST of its own. A non-2xx status whose body is a JSON-RPC answer is that answer:
 * a call gets the server's `JsonRpcError`, whose `cause` is a `TransportError` with the
 * `status`. Any other body with a non-2xx status fails the calls of that frame with
 * `TransportError` carrying `status` and the start of the body, retryable only for 408, 425,
 * 429 and 503 (statuses that say the call was not run: POST is not a safe method). A body over `maxFrameSize`
 * (64 MiB) fails them with a non-retryable `TransportError`, read no further.
 * Unsubscribing a call aborts its request.
 *
 * A POST may also be answered with an event stream (`text/event-stream`, as MCP's
 * Streamable HTTP does): each message in it is dispatched as it arrives, as on a socket, so
 * notifications reach `notifications$()`, progress reaches its call and calls to this side
 * reach `handle()` (their answers are POSTed); the frame's calls that the stream ends
 * without answering fail then. A stream that drops after an event with an id, or that ends
 * cleanly after one before any answer came (MCP's polling), is resumed with a `GET` and
 * `Last-Event-ID` after the server's `retry:` time (1 s without one, 250 ms at least); a
 * resume `GET` that gets no response, a 5xx, 408, 425 or 429 is tried again; at most 3 times
 * in a row without a message in between, 100 times in all. Sessions and a standing stream
 * for what belongs to no call are options (`sessionHeader`, `standingStream`, or `mcp`).
 * Without a standing stream, `info.duplex` is false: the server cannot reach this side
 * between calls.
 *
 * @example
 * ```ts
 * const rpc = connect(http('https://rpc.example.org', { auth: { bearer: token } }));
 * const block = await rpc.request('eth_blockNumber');
 * ```
 */
export function http(url: string, options: HttpOptions = {}): Transport {
  const sessionHeader = options.sessionHeader ?? (options.mcp === true ? 'Mcp-Session-Id' : undefined);
  const standing = options.standingStream ?? options.mcp === true;
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
        // Lifetime: one connection; its session and standing stream end with it.
        const endpoint: HttpEndpoint = {
          url,
          fetch: fetchImpl,
          maxFrameSize: options.maxFrameSize ?? defaultMaxFrameSize,
          session: new HttpSession(sessionHeader),
          headers: () => headersOf(options),
        };
        const frames = new Subject<Frame>();
        const framesWithCause = new Subject<FrameWithCause>();
        const problems = new Subject<RpcError>();
        const deliver = (data: string) => frames.next(data);
        const inFlight = new Set<() => void>();
        let closed = false;
        let duplex = false;
        let stream: Subscription | undefined;
        const stand = () => {
          if (!standing || stream !== undefined || closed) return;
          stream = standingStream$(endpoint, deliver, options.reconnect ?? doubling).subscribe({
            next: (open) => (duplex = open),
            error: (error: unknown) => {
              // A 404 ended the session: the next answered POST (of a new session) opens it again.
              if (error instanceof TransportError && error.status === 404) stream = undefined;
              problems.next(asRpcError(error));
            },
          });
        };
        const post = (frame: string, ended?: FrameEnded) => {
          const controller = new AbortController();
          // Abandoned by the peer: nobody waits for the outcome. Aborted for a body too large: report it.
          let abandoned = false;
          const abandon = () => {
            abandoned = true;
            controller.abort();
          };
          inFlight.add(abandon);
          exchange(endpoint, frame, controller, deliver)
            .then(
              ({ body, cause }) => {
                if (cause !== undefined) framesWithCause.next({ frame: body, cause });
                else if (body !== '') frames.next(body);
                // Calls the body left unanswered fail with what its status said.
                ended?.(cause);
                // A POST answered: the session, if the server keeps one, exists now.
                if (cause === undefined) stand();
              },
              (error: unknown) => {
                if (!abandoned) ended?.(asRpcError(error));
              },
            )
            .finally(() => inFlight.delete(abandon));
          return abandon;
        };
        const close = () => {
          if (closed) return;
          closed = true;
          for (const abandon of inFlight) abandon();
          stream?.unsubscribe();
          duplex = false;
          endSession(endpoint);
        };
        subscriber.next({
          info: {
            transport: 'http',
            url,
            get duplex() {
              return duplex;
            },
          },
          frames$: frames.asObservable(),
          framesWithCause$: framesWithCause.asObservable(),
          problems$: problems.asObservable(),
          send: post,
          close,
        });
        if (sessionHeader === undefined) stand();
        return () => {
          close();
          frames.complete();
          framesWithCause.complete();
          problems.complete();
        };
      }),
  };
}

/** What failed, as an RpcError: the exchange rejects only with those, the standing stream almost only. */
function asRpcError(error: unknown): RpcError {
  return error instanceof RpcError ? error : new TransportError(`HTTP failed: ${messageOf(error)}`, { cause: error });
}

function headersOf(options: HttpOptions): Record<string, string> {
  const headers: Record<string, string> = {
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
