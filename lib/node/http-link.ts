import { Observable, type Subscriber } from 'rxjs';
import { TransportError } from '../protocol/errors';
import type { Connection, ConnectionInfo, Frame, FrameEnded, Transport } from '../transports/transport';
import type { EventStreamAnswer } from './http-event-stream';

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
 * callback: those are pushes. With a `stream` (the client takes an event stream) its
 * notifications (progress among them) go out as events before the answer; a call to the
 * client, which could only be answered by a POST of a session, and any push without a
 * stream, is refused at once with a non-retryable TransportError (thrown, so that a call
 * fails now, and told to `refused`, so that a notification, which the peer only reports,
 * is heard too).
 */
export function oneShotLink(
  info: ConnectionInfo,
  body: string,
  refused: (error: TransportError) => void,
  stream?: EventStreamAnswer,
): OneShotLink {
  let answer: string | undefined;
  let sink: Subscriber<Frame> | undefined;
  let due = false;
  const frames$ = new Observable<Frame>((subscriber) => {
    sink = subscriber;
    if (due) subscriber.next(body);
    // Never completes: a link whose frames end has dropped, and the peer would give up its calls.
    return () => (sink = undefined);
  });
  const fail = (message: string): never => {
    const error = new TransportError(message, { retryable: false });
    refused(error);
    throw error;
  };
  const send = (frame: string, ended?: FrameEnded): void => {
    if (ended === undefined) {
      // One frame in, at most one answer out; anything after it has no response to go in.
      answer ??= frame;
      return;
    }
    if (stream !== undefined && !isCall(frame)) {
      if (stream.push(frame)) return;
      fail(`Not sent to ${info.remoteAddress ?? 'the client'}: its answer's event stream is gone, or full`);
    }
    fail(
      `Not sent to ${info.remoteAddress ?? 'the client'}: over HTTP the server can only answer the POST` +
        (stream === undefined
          ? ', not notify or call its client (serve such methods over WebSocket)'
          : ' and send notifications with it, not call its client (serve such methods over WebSocket)'),
    );
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

/** Whether a pushed frame holds a call (a request, alone or in a batch), which its client would have to answer. */
export function isCall(frame: string): boolean {
  let message: unknown;
  try {
    message = JSON.parse(frame);
  } catch {
    // Not JSON (a codec of the user's): a call cannot be told from a notification, and is not refused here.
    return false;
  }
  const messages: unknown[] = Array.isArray(message) ? message : [message];
  return messages.some((each) => typeof each === 'object' && each !== null && 'id' in each && 'method' in each);
}
