import { connect as netConnect, type NetConnectOpts } from 'node:net';
import { Observable } from 'rxjs';
import { ConnectionClosedError, TransportError } from '../protocol/errors';
import type { Connection, Transport } from '../transports/transport';
import { framingOf } from './framing';
import { adoptStreams, type FramingOption } from './stream';

/** Options of {@link tcp}: where to connect (`host` and `port`, or a Unix socket `path`) and the framing. */
export type TcpOptions = NetConnectOpts & {
  /**
   * How frames are delimited on the socket.
   * @default 'content-length'
   */
  readonly framing?: FramingOption;
  /**
   * The most bytes that may wait to be written: past it, calls fail at once with a
   * retryable `TransportError` ("Send buffer full: ..."); see `StreamOptions.highWaterMark`.
   * @default 16_777_216 (16 MiB)
   */
  readonly highWaterMark?: number;
};

/**
 * A transport over a TCP or Unix domain socket. Each connection opens a new socket (so
 * `reconnect` works); unsubscribing destroys it. The other side ending the socket (FIN)
 * closes the link with a `ConnectionClosedError` of code 1000; a reset or any socket error
 * (`ECONNRESET`, `EPIPE`...) with code 1006 and the error's code and message as `reason`.
 * It takes one argument: the framing goes in the same object as the address.
 *
 * @example
 * ```ts
 * const daemon = connect(tcp({ host: '127.0.0.1', port: 7000, framing: 'newline' }), { reconnect: reconnecting() });
 * ```
 */
export function tcp(options: TcpOptions): Transport {
  const { framing, highWaterMark, ...netOptions } = options;
  const name =
    'path' in netOptions ? `unix:${netOptions.path}` : `tcp://${netOptions.host ?? 'localhost'}:${netOptions.port}`;
  return {
    connect: () =>
      new Observable<Connection>((subscriber) => {
        const socket = netConnect(netOptions);
        let detachStreams: (() => void) | undefined;
        let opened = false;
        socket.once('connect', () => {
          opened = true;
          detachStreams = adoptStreams(
            socket,
            socket,
            framingOf(framing),
            subscriber,
            { transport: 'tcp', url: name },
            { highWaterMark },
          );
        });
        // `on`, not `once`: the socket is ours, and an 'error' with no listener would crash the process.
        socket.on('error', (cause) => {
          if (!opened)
            subscriber.error(
              new TransportError(`Could not connect to ${name}: ${cause.message}`, { cause, retryable: true }),
            );
        });
        // The socket's end (1000) or error (1006) has closed the link by now; a close without either was not clean.
        socket.once('close', () =>
          subscriber.error(
            new ConnectionClosedError(`${name} closed`, { code: 1006, reason: 'socket closed', inferred: true }),
          ),
        );
        return () => {
          detachStreams?.();
          socket.destroy();
        };
      }),
  };
}
