import { Observable, type Subscriber } from 'rxjs';
import { TransportError } from '../protocol/errors';
import type { Connection, ConnectionInfo, Frame, FrameEnded, Transport } from '../transports/transport';

/** The link of one HTTP POST, as its peer sees it: see {@link oneShotLink}. */
export interface OneShotLink {
  /** What the POST's peer connects to: it opens at once, synchronously. */
  readonly transport: Transport;
  /** Hands the body to the peer as its one incoming frame (call it once the handlers are set). */
  deliver(): void;
  /** The peer's answer frame, once it has sent it. */
  readonly answer: string | undefined;
}

/**
 * A link that carries one POST: the body is its one incoming frame, and the peer's answer
 * to it is its one outgoing frame, kept for the response. The peer sends an answer without
 * asking what became of it, and every call or notification of its own with an `ended`
 * callback: those are pushes HTTP cannot carry, refused at once with a non-retryable
 * TransportError (thrown, so that a call fails now, and told to `refused`, so that a
 * notification, which the peer only reports, is heard too).
 */
export function oneShotLink(info: ConnectionInfo, body: string, refused: (error: TransportError) => void): OneShotLink {
  let answer: string | undefined;
  let sink: Subscriber<Frame> | undefined;
  let due = false;
  const frames$ = new Observable<Frame>((subscriber) => {
    sink = subscriber;
    if (due) subscriber.next(body);
    // Never completes: a link whose frames end has dropped, and the peer would give up its calls.
    return () => (sink = undefined);
  });
  const send = (frame: string, ended?: FrameEnded): void => {
    if (ended === undefined) {
      // One frame in, at most one answer out; anything after it has no response to go in.
      answer ??= frame;
      return;
    }
    const error = new TransportError(
      `Not sent to ${info.remoteAddress ?? 'the client'}: over HTTP the server can only answer the POST, ` +
        'not notify or call its client (serve such methods over WebSocket)',
      { retryable: false },
    );
    refused(error);
    throw error;
  };
  const connection: Connection = { info, frames$, send, close: () => undefined };
  return {
    transport: {
      connect: () =>
        new Observable<Connection>((subscriber) => {
          subscriber.next(connection);
        }),
    },
    deliver: () => {
      due = true;
      sink?.next(body);
    },
    get answer() {
      return answer;
    },
  };
}
