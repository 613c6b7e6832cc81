import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { classify } from '../protocol/parse';
import type { JsonRpcRequest } from '../protocol/messages';
import { acceptsEventStream, eventStreamAnswer } from './http-event-stream';
import { reply } from './http-reply';
import { idKey, type SessionPost } from './http-session-link';
import { untilEnded } from './http-session-ended';
import { isSessionOf, type HttpSession, type SessionTable } from './http-sessions';
import type { ServerConnectionInfo } from './upgrade-info';

/** One admitted POST to answer in a session; see {@link answerInSession}. */
export interface SessionExchange {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly headers: OutgoingHttpHeaders;
  readonly body: string;
  /** What `authenticate` returned: the start of a new session's `session`. */
  readonly seed: Record<string, unknown>;
  readonly info: ServerConnectionInfo;
  /** Words for failures: the POST. */
  readonly post: () => string;
  /** How many bytes may wait in its event stream (`highWaterMark`). */
  readonly limit: number;
  /** The peer's `maxBatchSize`: a larger batch is refused whole, none of its calls run. */
  readonly maxBatchSize: number;
}

/**
 * Answers a POST in the session it named (or in a new one, `'new'`, opened now: 400 when
 * `opener` is set and the body holds no call of it; 503 when full; 500 when setup failed).
 * The body goes to the session's peer as one frame; the response carries the session id,
 * and waits for the answers to the body's calls: 200 with them (JSON, or the last event
 * of an event stream begun by a push), 202 when the body held no call (notifications, or
 * the client's answers to the server's calls), 503 when the session ended first; 404 when
 * `authenticate` gave the POST another result than the one that opened the session (as
 * for an unknown id), 400 for a call id in use in the session (see `SessionLink.abandon`). A call
 * that ends with no answer (its client cancelled it, as MCP does) is not waited for. Resolves
 * once answered, or its client has gone. Never rejects.
 */
export async function answerInSession(
  sessions: SessionTable,
  found: HttpSession | 'new',
  exchange: SessionExchange,
): Promise<void> {
  const { request, response, body } = exchange;
  const { ids, methods } = callsOf(body, exchange.maxBatchSize);
  if (found === 'new' && sessions.opener !== undefined && !methods.includes(sessions.opener)) {
    const text = `Bad Request: no ${sessions.header} header; open a session with a call of ${sessions.opener}`;
    reply(response, 400, exchange.headers, { text });
    return;
  }
  const session = found === 'new' ? await sessions.open(exchange.info, exchange.seed, exchange.post) : found;
  if (typeof session === 'number') {
    reply(response, session, exchange.headers, { close: session === 503 });
    return;
  }
  const headers: OutgoingHttpHeaders = { ...exchange.headers, [sessions.header]: session.id };
  // A page reads the id only if told it may.
  if (request.headers.origin !== undefined) headers['access-control-expose-headers'] = sessions.header;
  // Another identity is told what an unknown id is told: nothing of the session.
  if (found !== 'new' && !isSessionOf(found, exchange.seed)) {
    reply(response, 404, exchange.headers, { close: true });
    return;
  }
  const taken = ids.find((id) => session.link.awaits(id));
  if (taken !== undefined) {
    reply(response, 400, headers, { text: `Bad Request: call id ${taken} is in use in this session` });
    return;
  }
  const release = session.hold();
  // Only a POST with calls streams: one holding answers or notifications is answered 202, as MCP says, and what
  // its delivery makes a handler push (the next step after the answer it waited for) goes on the standing stream.
  const stream =
    ids.length > 0 && acceptsEventStream(request) ? eventStreamAnswer(response, headers, exchange.limit) : undefined;
  const answers: string[] = [];
  const pending = new Set(ids);
  let answered = () => undefined as void;
  const allAnswered = new Promise<void>((resolve) => (answered = resolve));
  const settled = (settledIds: readonly string[]) => {
    for (const id of settledIds) pending.delete(id);
    if (pending.size === 0) answered();
  };
  const post: SessionPost = {
    stream,
    answer: (frame, answeredIds) => {
      answers.push(frame);
      settled(answeredIds);
    },
    unanswered: settled,
  };
  session.link.deliver(body, ids, post);
  if (pending.size > 0) await untilEnded(session, response, allAnswered);
  session.link.abandon(pending);
  release();
  // The answers are the response, as a JSON answer would be: never refused for highWaterMark (writeTimeout bounds them).
  if (stream?.begun === true) {
    stream.end(answers);
    return;
  }
  if (pending.size > 0) reply(response, 503, headers, { close: true });
  else if (answers.length === 0) reply(response, 202, headers);
  else reply(response, 200, headers, { json: answers.length === 1 ? answers[0] : joined(answers) });
}

/**
 * The ids of the calls a body holds (as `idKey` writes them), and their methods: the requests
 * the peer will answer with their ids, by the peer's own reading (`classify`), none from a
 * batch it refuses whole (empty, or over `maxBatchSize`), none from a body that is no JSON.
 * Each is then answered, or ends with no answer (see `SessionLink.unanswered`): a POST never
 * waits for an id nothing will answer.
 */
function callsOf(body: string, maxBatchSize: number): { ids: string[]; methods: string[] } {
  const calls = { ids: [] as string[], methods: [] as string[] };
  let message: unknown;
  try {
    message = JSON.parse(body);
  } catch {
    return calls;
  }
  const messages = Array.isArray(message) ? (message as unknown[]) : [message];
  if (messages.length > maxBatchSize) return calls;
  for (const each of messages) {
    if (classify(each) !== 'request') continue;
    const { id, method } = each as JsonRpcRequest;
    const key = idKey(id);
    if (key === undefined) continue;
    calls.ids.push(key);
    calls.methods.push(method);
  }
  return calls;
}

/** Several answer frames as one batch answer. */
function joined(answers: readonly string[]): string {
  return JSON.stringify(
    answers.flatMap((frame) => {
      const message: unknown = JSON.parse(frame);
      return Array.isArray(message) ? (message as unknown[]) : [message];
    }),
  );
}
