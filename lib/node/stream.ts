import type { Readable, Writable } from 'node:stream';
import { Observable, Subject, type Subscriber } from 'rxjs';
import { ConnectionClosedError, TransportError, type RpcError } from '../protocol/errors';
import type { Connection, ConnectionInfo, Frame, Transport } from '../transports/transport';
import { defaultHighWaterMark } from '../transports/web-socket';
import { framingOf, type Framing } from './framing';

/** How frames are delimited: a framing, or the name of a built-in one. */
export type FramingOption = Framing | 'content-length' | 'newline';

/** Options of {@link stream}. */
export interface StreamOptions {
  /** Where frames come from: a child's stdout, a socket, `process.stdin`... */
  readonly readable: Readable;
  /** Where frames go: a child's stdin, a socket, `process.stdout`... */
  readonly writable: Writable;
  /**
   * How frames are delimited on the streams.
   * @default 'content-length' (the Language Server Protocol's headers)
   */
  readonly framing?: FramingOption;
  /** A name for messages and `ConnectionInfo.url`. @default 'stream' */
  readonly name?: string;
  /**
   * The most bytes that may wait in the writable's buffer (`writableLength`): past it,
   * `send` refuses new frames with a retryable `TransportError` ("Send buffer full: <n>
   * bytes wait to go to <name> (highWaterMark <max>)"), so the call fails at once and
   * nothing is queued, instead of memory growing behind a reader that does not read.
   * @default 16_777_216 (16 MiB, `defaultHighWaterMark`, as for WebSocket)
   */
  readonly highWaterMark?: number;
}

/** Options of {@link adoptStreams}. */
export interface AdoptOptions {
  /** Whether the end of the readable closes the link (false when the owner reports the end, like a process's exit). @default true */
  readonly endCloses?: boolean;
  /** See {@link StreamOptions.highWaterMark}. @default defaultHighWaterMark */
  readonly highWaterMark?: number;
}

/**
 * A transport over a readable and a writable stream, such as a child process's stdio
 * (see `spawnProcess`), a TCP or Unix socket (see `tcp`), or this process's own stdio
 * when it is the server. It can be connected once: the streams belong to their owner,
 * and are left open when the peer closes. The readable's end closes the link with a
 * `ConnectionClosedError` of code 1000; an error of either stream, with code 1006, the
 * error's code and message as `reason` and the error as `cause`.
 *
 * @example
 * ```ts
 * // A language server's side of stdio:
 * const rpc = connect(stream({ readable: process.stdin, writable: process.stdout }));
 * ```
 */
export function stream(options: StreamOptions): Transport {
  let used = false;
  const name = options.name ?? 'stream';
  return {
    connect: () =>
      new Observable<Connection>((subscriber) => {
        if (used) {
          subscriber.error(new TransportError(`The ${name} streams were already connected once`, { retryable: false }));
          return;
        }
        used = true;
        return adoptStreams(
          options.readable,
          options.writable,
          framingOf(options.framing),
          subscriber,
          { transport: 'stream', url: name },
          { highWaterMark: options.highWaterMark },
        );
      }),
  };
}

/** A stream or socket error as a close reason: its message, led by its code (`ECONNRESET`...) when the message lacks it. */
function reasonOf(cause: Error & { readonly code?: unknown }): string {
  const code = typeof cause.code === 'string' ? cause.code : undefined;
  return code === undefined || cause.message.includes(code) ? cause.message : `${code}: ${cause.message}`;
}

/**
 * Wires a readable and a writable to one `connect()` subscriber: frames in through the
 * framing's decoder, frames out through its encoder; the end of the readable closes the
 * link with 1000, an error of either stream with 1006. Returns the teardown, which leaves
 * the streams open.
 */
export function adoptStreams(
  readable: Readable,
  writable: Writable,
  framing: Framing,
  subscriber: Subscriber<Connection>,
  info: ConnectionInfo,
  options: AdoptOptions = {},
): () => void {
  const { endCloses = true, highWaterMark = defaultHighWaterMark } = options;
  const frames = new Subject<Frame>();
  const problems = new Subject<RpcError>();
  const name = info.url ?? info.transport;
  const decoder = framing.decoder({
    frame: (text) => frames.next(text),
    error: (error, fatal, code = 1002) => {
      if (!fatal) return problems.next(error);
      end(
        new ConnectionClosedError(`${name}: ${error.message}`, {
          code,
          reason: error.message,
          cause: error,
          inferred: true,
        }),
      );
    },
  });
  const onData = (chunk: Buffer | string) => decoder.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  // The readable's end is the other side closing on purpose (a socket's FIN); an error
  // (a reset, a broken pipe) is a drop, as for WebSocket.
  const onEnd = () =>
    end(new ConnectionClosedError(`${name} ended`, { code: 1000, reason: 'stream ended', inferred: true }));
  const onError = (cause: Error) =>
    end(
      new ConnectionClosedError(`${name} failed: ${cause.message}`, {
        code: 1006,
        reason: reasonOf(cause),
        cause,
        inferred: true,
      }),
    );
  const end = (error: Error) => {
    detach();
    frames.complete();
    problems.complete();
    subscriber.error(error);
  };
  const detach = () => {
    readable.off('data', onData);
    readable.off('end', onEnd);
    readable.off('error', onError);
    writable.off('error', onError);
  };
  readable.on('data', onData);
  if (endCloses) readable.once('end', onEnd);
  readable.once('error', onError);
  writable.once('error', onError);
  subscriber.next({
    info,
    frames$: frames.asObservable(),
    problems$: problems.asObservable(),
    send: (frame) => {
      // Checked before each frame, as for WebSocket: a reader that does not read fails calls fast.
      if (writable.writableLength > highWaterMark) {
        throw new TransportError(
          `Send buffer full: ${writable.writableLength} bytes wait to go to ${name} (highWaterMark ${highWaterMark})`,
          { retryable: true },
        );
      }
      writable.write(framing.encode(frame));
    },
    // Streams carry no close code; the teardown that follows detaches (or ends, for owners).
    close: () => undefined,
  });
  return () => {
    detach();
    frames.complete();
    problems.complete();
  };
}
