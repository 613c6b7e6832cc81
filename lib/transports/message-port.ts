import { Observable, Subject } from 'rxjs';
import type { Connection, Frame, Transport } from './transport';

/**
 * What the transport uses of a `MessagePort`, a `Worker`, a worker's `self` or a `window`:
 * `postMessage` and message events.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- a Worker, a MessagePort and a window each type the second argument their own way */
export interface MessageTarget {
  /** Sends one frame; `targetOrigin` is given for windows only. */
  postMessage(message: string, targetOrigin?: any): void;
  /** Starts delivering incoming messages to `listener`. */
  addEventListener(type: 'message', listener: (event: { data: unknown; origin?: string }) => void): void;
  /** Stops delivering incoming messages to `listener`. */
  removeEventListener(type: 'message', listener: (event: { data: unknown; origin?: string }) => void): void;
  /** MessagePorts need it to start delivering when listened to with addEventListener. */
  start?(): void;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/** Options of {@link messagePort}. */
export interface MessagePortOptions {
  /**
   * For a window: the origin frames are posted to (`postMessage(frame, targetOrigin)`).
   * Required for windows, so that frames never go to a page of unknown origin.
   */
  readonly targetOrigin?: string;
  /**
   * For a window: the origins whose messages are accepted; messages from any other origin
   * are ignored. A list, or a test.
   * @default [targetOrigin]
   */
  readonly origins?: readonly string[] | ((origin: string) => boolean);
}

/**
 * A transport over `postMessage`: a `MessagePort` (from a `MessageChannel`), a `Worker`
 * (from the page) or `self` (inside the worker), or a `window` (an iframe or an opener,
 * with `targetOrigin` and origin checks). Frames travel as strings; messages that are not
 * strings, or come from another origin, are not for JSON-RPC and are ignored. Connected
 * once at a time; closing the peer stops listening but leaves the port or worker alone.
 *
 * @example
 * ```ts
 * // In the page:
 * const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
 * const rpc = connect(messagePort(worker));
 * // In the worker:
 * const page = connect(messagePort(self as unknown as MessageTarget));
 * ```
 */
export function messagePort(target: MessageTarget, options: MessagePortOptions = {}): Transport {
  const { targetOrigin } = options;
  const origins = options.origins ?? (targetOrigin === undefined ? undefined : [targetOrigin]);
  const accepts =
    origins === undefined
      ? () => true
      : typeof origins === 'function'
        ? origins
        : (origin: string) => origins.includes(origin);
  return {
    connect: () =>
      new Observable<Connection>((subscriber) => {
        const frames = new Subject<Frame>();
        const listener = (event: { data: unknown; origin?: string }) => {
          if (typeof event.data !== 'string') return;
          if (event.origin !== undefined && event.origin !== '' && !accepts(event.origin)) return;
          frames.next(event.data);
        };
        target.addEventListener('message', listener);
        target.start?.();
        subscriber.next({
          info: { transport: 'message-port', url: targetOrigin },
          frames$: frames.asObservable(),
          send: (frame) =>
            targetOrigin === undefined ? target.postMessage(frame) : target.postMessage(frame, targetOrigin),
          close: () => undefined,
        });
        return () => {
          target.removeEventListener('message', listener);
          frames.complete();
        };
      }),
  };
}
