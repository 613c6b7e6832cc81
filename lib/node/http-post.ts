import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { messageOf, ProtocolError, TransportError } from '../protocol/errors';
import { isJsonContentType, readBody } from './http-body';
import { acceptsEventStream, eventStreamAnswer, type EventStreamAnswer } from './http-event-stream';
import { answerInSession } from './http-session-post';
import type { HttpSession, SessionTable } from './http-sessions';
import { answerDirectly } from './http-post-direct';
import { runPostPeer, type PostRun, type PostPeerSetup } from './http-post-peer';
import type { FrameParts } from '../peer/frame-answering';
import { reply } from './http-reply';
import { authenticated, shown, type AdmissionSetup } from './serve-admission';
import { peerDefaults } from '../peer/options';
import { serveDefaults, type ServeOptions } from './serve-options';
import { upgradeInfo } from './upgrade-info';
import { defaultHighWaterMark } from '../transports/web-socket';

/** What answering a POST needs from its server. */
export interface PostSetup extends Omit<PostPeerSetup, 'report' | 'options'> {
  /** The limits of a body, and the options of each POST's peer. */
  readonly options: Pick<ServeOptions, 'maxPayload' | 'peer' | 'highWaterMark'>;
  /** Whether the server closes, `authenticate`, and where failures are reported. */
  readonly admission: AdmissionSetup;
  /** The server's sessions, with the `sessions` option: each POST is then answered in one. */
  readonly sessions?: SessionTable;
  /** Set when the server is served by its methods alone: a lone POST is answered with them, and no peer. */
  readonly frames?: FrameParts;
}

/** How a POST waits: for its connection's turn (before its body is read), then for one of the event loop's. */
export interface PostTurns {
  /** Resolves once the requests before it on its connection are answered (or it has closed); undefined when none is before it. */
  readonly connection: () => Promise<void> | undefined;
  /** Resolves when the event loop may take one more peer; undefined when it may now. */
  readonly loop: () => Promise<void> | undefined;
}

/** A POST being answered, as its server sees it. */
export interface PostInFlight {
  /**
   * Answers it now with 503 if it has no peer yet; otherwise lets its peer finish its calls
   * for `drain` ms (a setup still running gets as long, then the POST is answered 503).
   * Resolves once it is answered. Never rejects.
   */
  stop(drain: number): Promise<void>;
  /** Its client has gone: its peer closes at once (its handlers' signals abort). */
  abandon(): void;
  /** Resolves once it is answered, or its client has gone. Never rejects. */
  readonly done: Promise<void>;
}

/**
 * Answers one POST, whose origin was allowed, with a peer of its own: checks its
 * Content-Type (415) and `authenticate` (401, 500), reads its body within `maxPayload`
 * (413) (sending `100 Continue` first when `sendContinue`), all once its connection's turn
 * has come, and once the event loop's turn lets it, runs `setup` on a new peer, hands it the body as its one
 * frame, and answers with its answer frame (200); 204 when the body held notifications
 * only; 400 (reported) when it held nothing to answer and something the peer could not take
 * (a JSON-RPC response). Total: whatever fails is reported and answered 500.
 */
export function answerPost(
  request: IncomingMessage,
  response: ServerResponse,
  headers: OutgoingHttpHeaders,
  context: PostSetup,
  turns: PostTurns,
  sendContinue: boolean,
): PostInFlight {
  const { admission, options } = context;
  const report = admission.report;
  let running: PostRun | undefined;
  // Set once dispatched in a session: the session's peer, closed by the server, ends it.
  let inSession = false;
  const sessions = context.sessions;
  // Made when the POST is dispatched, if its client takes an event stream; begun by a first push.
  let stream: EventStreamAnswer | undefined;
  let stopped = false;
  let gone = false;
  // Set as its peer is made: a handler that runs at once (inside runPostPeer) may close the server before `running` is set.
  let making = false;
  // Functions: the flags change while answer() awaits, which narrowing cannot see.
  const isStopped = () => stopped;
  const isGone = () => gone || request.socket.destroyed;
  // Words for failures only: made when one happens.
  const post = () => `the POST from ${String(request.socket.remoteAddress)} to ${shown(request.url)}`;

  /**
   * Checks the POST, finds the session it names (with `sessions`), then reads its body: its
   * text, `authenticate`'s result and the session; undefined when it was answered instead.
   */
  const admitted = async (): Promise<
    readonly [string, Record<string, unknown>, HttpSession | 'new' | undefined] | undefined
  > => {
    if (!isJsonContentType(request.headers['content-type'])) {
      reply(response, 415, headers, { close: true });
      return undefined;
    }
    const session = await authenticated(request, admission);
    if (typeof session === 'number') {
      reply(response, session, headers, { close: true });
      return undefined;
    }
    // After authenticate, so that a request without credentials cannot tell a live session id from an unknown
    // one (401 for both); before the body is read, so that an unknown id costs nothing more.
    const found = sessions?.find(request);
    if (typeof found === 'number') {
      reply(response, found, headers, { close: true });
      return undefined;
    }
    const maxPayload = options.maxPayload ?? serveDefaults.maxPayload;
    // Only now, the checks passed: a client that waits for 100 Continue sends no body in vain.
    const body = await readBody(request, maxPayload, () => sendContinue && response.writeContinue());
    if (body === 'consumed') {
      report(new TransportError(`Could not answer ${post()}: its body was read before (by a body parser?)`));
      reply(response, 500, headers);
    } else if (body === 413) {
      const text = `Payload Too Large: the body is over ${maxPayload} bytes`;
      reply(response, 413, headers, { text, close: true });
    } else if (body !== 'gone') {
      if (!isStopped()) return [body.text, session, found];
      reply(response, 503, headers, { close: true });
    }
    return undefined;
  };

  const answer = async (): Promise<void> => {
    // Its turn first, then its body: a request waiting behind others on its connection reads
    // nothing, so node:http stops reading the socket (one pipelining client cannot make the
    // server hold 16 bodies of maxPayload per connection).
    // An await only where there is something to wait for: each costs a promise and a turn of the microtask queue.
    const connectionTurn = turns.connection();
    if (connectionTurn !== undefined) await connectionTurn;
    if (isGone()) return;
    if (isStopped()) {
      reply(response, 503, headers, { close: true });
      return;
    }
    const admittedBody = await admitted();
    if (admittedBody === undefined) return;
    const [body, session, found] = admittedBody;
    const loopTurn = turns.loop();
    if (loopTurn !== undefined) await loopTurn;
    if (isGone()) return;
    if (isStopped()) {
      reply(response, 503, headers, { close: true });
      return;
    }
    const info = { transport: 'http' as const, ...upgradeInfo(request) };
    const limit = options.highWaterMark ?? defaultHighWaterMark;
    if (sessions !== undefined && found !== undefined) {
      inSession = true;
      const maxBatchSize = options.peer?.maxBatchSize ?? peerDefaults.maxBatchSize;
      const exchange = { request, response, headers, body, seed: session, info, post, limit, maxBatchSize };
      return answerInSession(sessions, found, exchange);
    }
    // Pushes wait in the response as a WebSocket's in its socket: bounded the same way.
    if (acceptsEventStream(request)) {
      stream = eventStreamAnswer(response, headers, limit);
    }
    making = true;
    const frames = context.frames;
    running =
      frames === undefined
        ? runPostPeer({ ...context, report }, info, body, session, post, () => !isStopped() && !isGone(), stream)
        : answerDirectly({ frames, options, report, newSession: context.newSession }, info, body, session, stream);
    const outcome = await running.outcome;
    // Status and headers went out with the first event: the answer (if any) is the last one.
    if (stream?.begun === true) {
      stream.end(typeof outcome === 'object' && !(outcome instanceof ProtocolError) ? outcome.json : undefined);
      return;
    }
    // Once the server is closing, no connection is kept alive for another request.
    const close = isStopped();
    if (outcome === 500) reply(response, 500, headers);
    else if (outcome === 'interrupted') reply(response, 503, headers, { close: true });
    else if (outcome instanceof ProtocolError) {
      report(new ProtocolError(`Nothing to answer in ${post()}: ${outcome.message}`, { cause: outcome }));
      reply(response, 400, headers, { text: `Bad Request: ${outcome.message}; POST requests or notifications`, close });
    } else if (outcome !== 'none') reply(response, 200, headers, { json: outcome.json, close });
    else reply(response, close ? 503 : 204, headers, { close });
  };

  const done = answer().catch((cause: unknown) => {
    report(new TransportError(`Could not answer ${post()}: ${messageOf(cause)}`, { cause }));
    if (stream?.begun === true) stream.end(undefined);
    else reply(response, 500, headers, { close: true });
  });
  return {
    done,
    abandon: () => {
      gone = true;
      running?.interrupt(0);
      void running?.close({ code: 1001, reason: 'Client gone' });
    },
    stop: async (drain) => {
      stopped = true;
      // Still reading, authenticating or waiting its turn: nothing ran yet, and a slow client must not hold the close.
      if (inSession) return done;
      // Closed by a handler of its own, which ran as its peer was made: `running` is set once that returns.
      if (making) await Promise.resolve();
      if (running === undefined) {
        reply(response, 503, headers, { close: true });
        return;
      }
      // A setup still running gets the drain, then the POST is answered 503: none of its calls ran.
      if (!running.interrupt(drain)) await running.close({ drain, code: 1001, reason: 'Server shutting down' });
      await done;
    },
  };
}
