import { Observable, Subscription, type Unsubscribable } from 'rxjs';
import type { RawData, WebSocket } from 'ws';
import { ConnectionClosedError, TransportError } from '../protocol/errors';
import { openDirectly, type DirectTransport, type LinkObserver } from '../transports/direct-open';
import { Feed } from '../transports/feed';
import type { Connection, ConnectionInfo, Frame, Transport } from '../transports/transport';
import { closeQuietly, defaultHighWaterMark } from '../transports/web-socket';

/** The link of a socket, kept on the socket itself: its listeners are shared functions, not closures of each. */
const linkOf = Symbol('rx-jsonrpc link');

type LinkedSocket = WebSocket & { [linkOf]?: AcceptedLink };

/**
 * A socket `serve()` accepted, as a transport of its one link: what `fromWebSocket` does for
 * any socket, through ws's own `on()` rather than the browser-style `onmessage` of ws's
 * EventTarget shim, which wraps each listener in closures (about 0.4 KB a connection) and
 * makes a MessageEvent for each frame. A server holds many thousands of these.
 */
export function acceptedWebSocket(
  socket: WebSocket,
  info: ConnectionInfo,
  highWaterMark: number = defaultHighWaterMark,
): Transport {
  return new AcceptedTransport(socket, info, highWaterMark);
}

/** The transport of one accepted socket: a class, so its methods are shared by every connection. */
class AcceptedTransport implements DirectTransport {
  constructor(
    private readonly socket: WebSocket,
    private readonly info: ConnectionInfo,
    private readonly highWaterMark: number,
  ) {}

  connect(): Observable<Connection> {
    return new Observable<Connection>((subscriber) => this[openDirectly](subscriber));
  }

  /** Listens to the socket and hands its link to `observer`; the link, unsubscribed, stops listening and closes it. */
  [openDirectly](observer: LinkObserver): Unsubscribable {
    const { socket, info } = this;
    const linked = socket as LinkedSocket;
    if (linked[linkOf] !== undefined || socket.readyState !== socket.OPEN) {
      // An accepted socket cannot be opened again: reconnecting would only fail again.
      observer.error(
        new TransportError(`The WebSocket (${String(info.url)}) was already used or closed`, { retryable: false }),
      );
      return Subscription.EMPTY;
    }
    const link = new AcceptedLink(socket, info, this.highWaterMark, observer);
    linked[linkOf] = link;
    socket.binaryType = 'arraybuffer';
    socket.on('message', onMessage);
    socket.on('close', onClose);
    // ws emits 'error' before 'close'; without a listener the EventEmitter would throw.
    socket.on('error', ignore);
    observer.next(link);
    return link;
  }
}

/** ws's options for bytes that go out as a text frame: one object for every send of a broadcast. */
const asText = { binary: false } as const;

/** The frame a broadcast sends now, and its bytes: see {@link sendingOnce}. */
let broadcastText: string | undefined;
let broadcastBytes: Buffer | undefined;

/**
 * Runs `send`, during which every accepted socket that sends `text` sends the same bytes,
 * written once: ws would write the text to bytes again for each socket (a broadcast to 1,000
 * clients wrote the same string 1,000 times).
 */
export function sendingOnce(text: string, send: () => void): void {
  // A broadcast made while another is sent (by a trace$ subscriber, say) leaves the outer one's bytes as they were.
  const outer = [broadcastText, broadcastBytes] as const;
  broadcastText = text;
  broadcastBytes = Buffer.from(text);
  try {
    send();
  } finally {
    [broadcastText, broadcastBytes] = outer;
  }
}

/** One accepted socket's link: its frames, and what it sends; unsubscribed, it stops listening and closes the socket. */
class AcceptedLink implements Connection, Unsubscribable {
  readonly frames$ = new Feed<Frame>();

  constructor(
    private readonly socket: WebSocket,
    readonly info: ConnectionInfo,
    private readonly highWaterMark: number,
    public subscriber: LinkObserver,
  ) {}

  unsubscribe(): void {
    const { socket } = this;
    // The socket keeps its link (a second open is refused), but no longer the peer's link run: a socket that takes
    // its time to close must not keep the peer.
    this.subscriber = unheard;
    socket.off('message', onMessage);
    socket.off('close', onClose);
    this.frames$.complete();
    if (socket.readyState === socket.OPEN) closeQuietly(socket, 1000);
  }

  send(frame: string): void {
    // Checked before each frame: a slow client fails calls fast rather than queueing forever.
    const waiting = this.socket.bufferedAmount;
    if (waiting > this.highWaterMark) {
      throw new TransportError(
        `Send buffer full: ${String(waiting)} bytes wait to go to ${String(this.info.url)} (highWaterMark ${String(this.highWaterMark)})`,
        { retryable: true },
      );
    }
    // The same string as the broadcast's (most often the same object: a pointer comparison).
    const bytes = broadcastBytes;
    if (bytes !== undefined && frame === broadcastText) this.socket.send(bytes, asText);
    else this.socket.send(frame);
  }

  close(code = 1000, reason?: string): void {
    closeQuietly(this.socket, code, reason);
  }
}

// `this` is the socket: an EventEmitter calls its listeners on itself.
function onMessage(this: LinkedSocket, data: RawData, isBinary: boolean): void {
  // ws hands a text message over as one Buffer, whatever the binaryType
  this[linkOf]?.frames$.next(isBinary ? binaryFrame(data) : (data as Buffer).toString());
}

function onClose(this: LinkedSocket, code: number, reasonBytes: Buffer): void {
  const link = this[linkOf];
  if (link === undefined) return;
  link.frames$.complete();
  const reason = reasonBytes.toString();
  link.subscriber.error(
    new ConnectionClosedError(
      `Connection to ${String(link.info.url)} closed (${String(code)}${reason ? `: ${reason}` : ''})`,
      { code, reason },
    ),
  );
}

/** What a link let go of reports to. */
const unheard: LinkObserver = { next: ignore, error: ignore, complete: ignore };

function ignore(): void {
  // The 'close' that follows says what ended the link.
}

/** A binary message as bytes (an ArrayBuffer, as `binaryType` asks; the other forms in case a user changed it). */
function binaryFrame(data: RawData): Uint8Array {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (Array.isArray(data)) return Buffer.concat(data);
  return data;
}
