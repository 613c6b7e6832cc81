import { AsyncLocalStorage } from 'node:async_hooks';
import { Observable, type Subscriber } from 'rxjs';
import { TransportError } from '../protocol/errors';
import type { Connection, ConnectionInfo, Frame, FrameEnded, Transport } from '../transports/transport';
import type { EventStreamAnswer } from './http-event-stream';
import { isCall } from './http-link';

/** A POST of a session being answered, as the session's link sees it. */
export interface SessionPost {
  /** Its answer as an event stream, when its client takes one: where its calls' pushes go. */
  readonly stream: EventStreamAnswer | undefined;
  /** Takes one answer frame of the session's peer meant for it, with the ids it answers (as `idKey` writes them). */
  answer(frame: string, ids: readonly string[]): void;
  /** Hears that the calls `ids` ended with no answer: their caller cancelled them, in a dialect that answers none. */
  unanswered(ids: readonly string[]): void;
}

/** A session's standing stream, as its link writes to it. */
export type StandingStream = Pick<EventStreamAnswer, 'push' | 'end'>;

/** The link of one HTTP session, as its peer sees it: see {@link sessionLink}. */
export interface SessionLink {
  /** What the session's peer connects to: it opens at once, synchronously. */
  readonly transport: Transport;
  /** Hands a POST's body to the peer, as one incoming frame; answers to the call ids in `ids` go to `post`. */
  deliver(body: string, ids: readonly string[], post: SessionPost): void;
  /**
   * A POST is done (answered, its client gone, or the session ended) with the call ids in
   * `ids` still unanswered: they stay in use (see `awaits`) until their calls answer, and
   * those answers are dropped. A new call may not take such an id and get the old call's answer.
   */
  abandon(ids: Iterable<string>): void;
  /** Whether a call id is in use in the session: awaited by a POST, or abandoned by one and not answered yet. */
  awaits(id: string): boolean;
  /**
   * The call `id` (as `idKey` writes it) ended with no answer, cancelled by its caller in a
   * dialect that answers none (the peer's answering side says so): the POST that carried it
   * stops waiting for it (see `SessionPost.unanswered`), and the id is free.
   */
  unanswered(id: string): void;
  /** Makes `stream` the session's standing stream (the GET's); undefined once it has ended. */
  stand(stream: StandingStream | undefined): void;
}

// Which POST's call runs now: a push made within a handler (its continuations included) goes to that POST's stream.
const running = new AsyncLocalStorage<SessionPost>();

// Where the answers of an abandoned POST's calls go: nowhere.
const abandoned: SessionPost = { stream: undefined, answer: () => undefined, unanswered: () => undefined };

/** How a call id is written in the session's maps: a string and a number of the same digits are two ids. */
export function idKey(id: unknown): string | undefined {
  return typeof id === 'string' || typeof id === 'number' ? JSON.stringify(id) : undefined;
}

/**
 * A link that lives as long as an HTTP session, fed by the session's POSTs. An answer goes
 * to the POST that carried its call (by id; an answer without one, such as a parse error,
 * to the POST whose body is being dispatched). A push (a notification, progress, a call to
 * the client) made while a POST's call runs goes out on that POST's event stream; anything
 * else, or when that POST has no stream (or it is gone or full), on the session's standing
 * stream. A call to the client with neither is refused with a non-retryable TransportError
 * (thrown, and told to `refused`); a notification with neither is dropped, as one sent to a
 * client that is not listening (told to `refused` once per POST when that POST's stream was
 * full or closed: its client expected it).
 */
export function sessionLink(info: ConnectionInfo, refused: (error: TransportError) => void): SessionLink {
  let sink: Subscriber<Frame> | undefined;
  let standing: StandingStream | undefined;
  const waiting = new Map<string, SessionPost>();
  // The storage is the process's: a handler of another session's POST (a notifyAll in it) runs with that POST as the store.
  const mine = new WeakSet<SessionPost>();
  // The POSTs whose dropped notification was told: once each.
  const told = new WeakSet<SessionPost>();
  const current = (): SessionPost | undefined => {
    const post = running.getStore();
    return post !== undefined && mine.has(post) ? post : undefined;
  };
  const frames$ = new Observable<Frame>((subscriber) => {
    sink = subscriber;
    // Never completes: a link whose frames end has dropped, and the peer would give up its calls.
    return () => (sink = undefined);
  });

  const answer = (frame: string): void => {
    const ids = answeredIds(frame);
    // By the first id still awaited: a batch's member may have been cancelled (and let go) before the batch answered.
    let post: SessionPost | undefined;
    for (const id of ids) if ((post ??= waiting.get(id)) !== undefined) break;
    post ??= current();
    for (const id of ids) waiting.delete(id);
    post?.answer(frame, ids);
  };

  const send = (frame: string, ended?: FrameEnded): void => {
    if (ended === undefined) return answer(frame);
    const post = current();
    if (post?.stream?.push(frame) === true) return;
    if (standing?.push(frame) === true) return;
    if (!isCall(frame)) return post?.stream === undefined || told.has(post) ? undefined : unsent(post);
    const error = new TransportError(
      `Not sent to ${info.remoteAddress ?? 'the client'}: a call to the client needs an event stream to go in ` +
        '(the answer of a POST that takes one, or the session’s standing GET stream), and it has none open',
      { retryable: false },
    );
    refused(error);
    throw error;
  };

  const unsent = (post: SessionPost): void => {
    told.add(post);
    const to = info.remoteAddress ?? 'the client';
    const why =
      'the event stream of its POST is full (highWaterMark) or closed, and no standing stream of the session took them';
    refused(new TransportError(`Notifications to ${to} not sent: ${why}`, { retryable: false }));
  };

  const connection: Connection = { info, frames$, send, close: () => standing?.end(undefined) };
  return {
    transport: { connect: () => new Observable<Connection>((subscriber) => subscriber.next(connection)) },
    deliver: (body, ids, post) => {
      for (const id of ids) waiting.set(id, post);
      mine.add(post);
      running.run(post, () => sink?.next(body));
    },
    abandon: (ids) => {
      for (const id of ids) if (waiting.has(id)) waiting.set(id, abandoned);
    },
    awaits: (id) => waiting.has(id),
    unanswered: (id) => {
      const post = waiting.get(id);
      if (post === undefined) return;
      waiting.delete(id);
      post.unanswered([id]);
    },
    stand: (stream) => {
      standing = stream;
    },
  };
}

/** The ids an answer frame (one answer or a batch's) answers; none for a frame that is no JSON (a codec of the user's). */
function answeredIds(frame: string): string[] {
  let message: unknown;
  try {
    message = JSON.parse(frame);
  } catch {
    return [];
  }
  const ids: string[] = [];
  for (const each of Array.isArray(message) ? message : [message]) {
    const key = typeof each === 'object' && each !== null ? idKey((each as { id?: unknown }).id) : undefined;
    if (key !== undefined) ids.push(key);
  }
  return ids;
}
