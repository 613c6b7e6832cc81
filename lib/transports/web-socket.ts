import { Observable, type Subscriber } from 'rxjs';
import { ConnectionClosedError, messageOf, TransportError } from '../protocol/errors';
import type { Connection, ConnectionInfo, Frame, Transport } from './transport';
import { Feed } from './feed';

/* eslint-disable @typescript-eslint/no-explicit-any -- event handler slots accept both the DOM's and ws's event types */
/**
 * The part of a WebSocket the transport uses: the WHATWG interface that browsers, Deno,
 * Bun, Node 22+ and the `ws` package all implement.
 */
export interface WebSocketLike {
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  /** The subprotocol the server chose, `''` for none. */
  readonly protocol: string;
  /** Bytes queued by `send` and not yet written to the network. */
  readonly bufferedAmount: number;
  /** How binary messages are delivered; the transport asks for `'arraybuffer'`. */
  binaryType: any;
  /** Called once the socket is open. */
  onopen: ((event: any) => void) | null;
  /** Called with each message (`event.data`). */
  onmessage: ((event: any) => void) | null;
  /** Called when the socket fails; `close` follows. */
  onerror: ((event: any) => void) | null;
  /** Called once the socket is closed (`event.code`, `event.reason`). */
  onclose: ((event: any) => void) | null;
  /** Queues one text message. */
  send(data: string): void;
  /** Starts the closing handshake. */
  close(code?: number, reason?: string): void;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/** A WebSocket constructor, such as the browser's `WebSocket` or the `ws` package's. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

/** Options of {@link webSocket}. */
export interface WebSocketOptions {
  /** Subprotocols to offer in the handshake. */
  readonly protocols?: string | string[];
  /**
   * The WebSocket implementation. On Node 20, which has none, use `webSocket` from
   * `rx-jsonrpc/node` instead (it passes headers and other `ws` options through).
   * @default globalThis.WebSocket
   */
  readonly WebSocket?: WebSocketConstructor;
  /**
   * The most bytes that may wait in the socket's send buffer: past it, `send` refuses new
   * frames with a retryable `TransportError` (the call fails at once) instead of letting
   * memory grow without bound while the network or the other side is slow.
   * @default 16_777_216 (16 MiB)
   */
  readonly highWaterMark?: number;
}

/** The send buffer limit of WebSocket transports; see `WebSocketOptions.highWaterMark`. */
export const defaultHighWaterMark = 16_777_216;

const CONNECTING = 0;
const OPEN = 1;
const noop = () => undefined;

/**
 * A transport over a WebSocket opened at `url`. Each `connect()` subscription opens a
 * new socket; unsubscribing closes it with code 1000. Where the runtime has no WebSocket
 * (Node before 22) and none is passed, `connect()` errors at once with a non-retryable
 * `TransportError` saying to import `webSocket` from `rx-jsonrpc/node`, which the peer's
 * calls then fail with too. A close is reported as a `ConnectionClosedError` whose message
 * says what a standard close code means.
 *
 * @example
 * ```ts
 * const rpc = connect(webSocket('wss://example.org/rpc', { protocols: 'jsonrpc' }));
 * ```
 */
export function webSocket(url: string, options: WebSocketOptions = {}): Transport {
  return {
    connect: () =>
      new Observable<Connection>((subscriber) => {
        // a runtime without WebSocket (Node < 22) has none on globalThis
        const WebSocketImpl = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
        if (WebSocketImpl === undefined) {
          // Said to each call too (see peerClosed): an editor's auto-import picks this webSocket on Node.
          subscriber.error(
            new TransportError(
              "No global WebSocket (Node < 22): import { webSocket } from 'rx-jsonrpc/node', or pass options.WebSocket",
            ),
          );
          return;
        }
        let socket: WebSocketLike;
        try {
          socket = new WebSocketImpl(url, options.protocols);
        } catch (cause) {
          subscriber.error(new TransportError(`Could not open a WebSocket to ${url}: ${messageOf(cause)}`, { cause }));
          return;
        }
        return adoptWebSocket(socket, url, subscriber, { url }, options.highWaterMark);
      }),
  };
}

/**
 * A transport over a socket that already exists, such as one accepted by a `ws` server.
 * It can be connected once: the peer closes the socket when it is closed. `info` adds to
 * what the connection tells handlers (`context.connection`): the URL, the remote address,
 * the handshake's headers, or anything of your own.
 */
export function fromWebSocket(
  socket: WebSocketLike,
  info: Omit<ConnectionInfo, 'transport'> = {},
  options: Pick<WebSocketOptions, 'highWaterMark'> = {},
): Transport {
  let used = false;
  const name = info.url ?? 'accepted socket';
  return {
    connect: () =>
      new Observable<Connection>((subscriber) => {
        if (used || socket.readyState > OPEN) {
          // An accepted socket cannot be opened again: reconnecting would only fail again.
          subscriber.error(
            new TransportError(`The WebSocket (${name}) was already used or closed`, { retryable: false }),
          );
          return;
        }
        used = true;
        return adoptWebSocket(socket, name, subscriber, info, options.highWaterMark);
      }),
  };
}

/** Wires one socket to one `connect()` subscriber; returns the teardown. */
function adoptWebSocket(
  socket: WebSocketLike,
  url: string,
  subscriber: Subscriber<Connection>,
  info: Omit<ConnectionInfo, 'transport'>,
  highWaterMark = defaultHighWaterMark,
): () => void {
  const frames = new Feed<Frame>();
  let opened = false;
  let lastError: unknown;
  const open = () => {
    opened = true;
    subscriber.next({
      info: { transport: 'websocket', ...info, protocol: socket.protocol },
      frames$: frames,
      send: (frame) => {
        // Checked before each frame: a slow link fails calls fast rather than queueing forever.
        if (socket.bufferedAmount > highWaterMark) {
          throw new TransportError(
            `Send buffer full: ${socket.bufferedAmount} bytes wait to go to ${url} (highWaterMark ${highWaterMark})`,
            { retryable: true },
          );
        }
        socket.send(frame);
      },
      close: (code = 1000, reason) => closeQuietly(socket, code, reason),
    });
  };

  socket.binaryType = 'arraybuffer';
  socket.onopen = open;
  socket.onmessage = (event: { data: unknown }) => frames.next(toFrame(event.data));
  socket.onerror = (event: { error?: unknown; message?: string }) => {
    lastError = event.error ?? event;
  };
  socket.onclose = (event: { code: number; reason: string }) => {
    frames.complete();
    if (opened) {
      const reason = event.reason ? `: ${event.reason}` : '';
      subscriber.error(
        new ConnectionClosedError(`Connection to ${url} closed (${event.code}${reason})`, {
          code: event.code,
          reason: event.reason,
        }),
      );
    } else {
      // Duck-typed: an error from another realm (a test VM, an iframe) fails `instanceof Error`.
      const message = (lastError as { message?: unknown } | undefined)?.message;
      const detail = typeof message === 'string' && message !== '' ? `: ${message}` : ` (close code ${event.code})`;
      // `ws` words a refused handshake "Unexpected server response: 401".
      const status = /server response: (\d{3})/.exec(String(message))?.[1];
      subscriber.error(
        new TransportError(`Could not connect to ${url}${detail}`, {
          cause: lastError,
          retryable: true,
          status: status === undefined ? undefined : Number(status),
        }),
      );
    }
  };
  if (socket.readyState === OPEN) open();

  return () => {
    // Handlers stay as no-ops: `ws` emits 'error' when a connecting socket is closed, and
    // an EventEmitter with no 'error' listener would throw.
    socket.onopen = socket.onmessage = socket.onclose = socket.onerror = noop;
    frames.complete();
    if (socket.readyState === CONNECTING || socket.readyState === OPEN) closeQuietly(socket, 1000);
  };
}

/** Closes `socket`, falling back to plainer closes where it refuses the code or reason. */
export function closeQuietly(socket: WebSocketLike, code: number, reason?: string): void {
  // Sockets refuse codes outside 1000 and 3000-4999, and reasons over 123 bytes:
  // fall back to a normal close with the reason, then without it.
  for (const [tryCode, tryReason] of [
    [code, reason],
    [1000, reason],
    [1000, undefined],
  ] as const) {
    try {
      return socket.close(tryCode, tryReason);
    } catch {
      // try the next, plainer close
    }
  }
}

function toFrame(data: unknown): Frame {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(0);
}
