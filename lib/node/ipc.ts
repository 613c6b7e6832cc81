import type { ChildProcess } from 'node:child_process';
import { Observable, Subject } from 'rxjs';
import { ConnectionClosedError, TransportError } from '../protocol/errors';
import type { Connection, Frame, Transport } from '../transports/transport';

/** The part of a Node IPC channel the transport uses: a forked child, or `process` inside it. */
export interface IpcChannel {
  /** Sends a message to the other process; absent without an IPC channel. */
  send?(message: string): boolean;
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
export function ipc(channel: IpcChannel | ChildProcess | NodeJS.Process): Transport {
  const target = channel as IpcChannel;
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
          subscriber.error(new ConnectionClosedError('IPC channel disconnected', { code: 1006 }));
        };
        target.on('message', onMessage);
        target.on('disconnect', onDisconnect);
        subscriber.next({
          info: { transport: 'ipc' },
          frames$: frames.asObservable(),
          send: (frame) => void target.send!(frame),
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
