import type { ChildProcess } from 'node:child_process';
import { Observable, Subject } from 'rxjs';
import { ConnectionClosedError, TransportError } from '../protocol/errors';
import type { Connection, Frame, Transport } from '../transports/transport';
import { defaultHighWaterMark } from '../transports/web-socket';

/** The part of a Node IPC channel the transport uses: a forked child, or `process` inside it. */
export interface IpcChannel {
  /**
   * Sends a message to the other process, calling `sent` once it is written; absent without
   * an IPC channel.
   */
  send?(message: string, sent?: (error: Error | null) => void): boolean;
  /** Listens to the other process's messages. */
  on(event: 'message', listener: (message: unknown) => void): unknown;
  /** Listens for the channel's end. */
  on(event: 'disconnect', listener: () => void): unknown;
  /** Stops listening to messages. */
  off(event: 'message', listener: (message: unknown) => void): unknown;
  /** Stops listening for the channel's end. */
  off(event: 'disconnect', listener: () => void): unknown;
  /** False once the channel is closed. */
  readonly connected?: boolean;
}

/** Options of {@link ipc}. */
export interface IpcOptions {
  /**
   * The most characters of frames sent and not yet written to the channel; past it, `send`
   * refuses new frames with a retryable `TransportError` ("Send buffer full"), as the
   * WebSocket and stream transports do, so that a process that stops reading cannot make
   * this one's memory grow without bound.
   * @default 16_777_216 (16 MiB, `defaultHighWaterMark`)
   */
  readonly highWaterMark?: number;
}

/**
 * A transport over Node's IPC channel: a child made with `fork()` (or `spawn` with an
 * `'ipc'` stdio), or `process` inside such a child. Frames travel as strings; other
 * messages on the channel are left to their owners. The channel disconnecting closes the
 * link; closing the peer leaves the channel open.
 *
 * @example
 * ```ts
 * const worker = connect(ipc(fork('./worker.js')));   // in the parent
 * const parent = connect(ipc(process));                // in the child
 * ```
 */
export function ipc(channel: IpcChannel | ChildProcess | NodeJS.Process, options: IpcOptions = {}): Transport {
  const target: IpcChannel = channel;
  const highWaterMark = options.highWaterMark ?? defaultHighWaterMark;
  return {
    connect: () =>
      new Observable<Connection>((subscriber) => {
        if (target.send === undefined || target.connected === false) {
          subscriber.error(
            new TransportError('No IPC channel: fork() the child, or run inside a forked child', { retryable: false }),
          );
          return;
        }
        const frames = new Subject<Frame>();
        const onMessage = (message: unknown) => {
          if (typeof message === 'string') frames.next(message);
        };
        const onDisconnect = () => {
          frames.complete();
          subscriber.error(new ConnectionClosedError('IPC channel disconnected', { code: 1006, inferred: true }));
        };
        target.on('message', onMessage);
        target.on('disconnect', onDisconnect);
        // Node queues what the channel cannot take yet: count it, since it says nothing of its size.
        let waiting = 0;
        subscriber.next({
          info: { transport: 'ipc' },
          frames$: frames.asObservable(),
          send: (frame) => {
            if (waiting > highWaterMark) {
              throw new TransportError(
                `Send buffer full: ${waiting} characters wait to go to the IPC channel (highWaterMark ${highWaterMark})`,
                { retryable: true },
              );
            }
            waiting += frame.length;
            // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- checked at connect: a channel without send fails before any frame
            target.send!(frame, () => (waiting -= frame.length));
          },
          close: () => undefined,
        });
        return () => {
          target.off('message', onMessage);
          target.off('disconnect', onDisconnect);
          frames.complete();
        };
      }),
  };
}
