import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { messageOf, TransportError } from '../protocol/errors';
import { corsHeaders, preflightHeaders } from './http-cors';
import { connectionQueues, type Queued } from './http-pipeline';
import { answerSessionRequest } from './http-session-routes';
import { answerPost, type PostInFlight, type PostSetup } from './http-post';
import { reply } from './http-reply';
import { turnSlots } from './http-turns';
import { writtenOut } from './http-written';
import { originRefusal, shown } from './serve-admission';
import { serveDefaults, type ServeOptions } from './serve-options';
import type { OriginPolicy } from './origin-policy';
import { defaultHighWaterMark } from '../transports/web-socket';

/** How many POSTs get their peer in one turn of the event loop (~0.2 ms each); the others wait for the next turns. */
const postsPerTurn = 32;

/**
 * The most requests one connection may have unanswered at once (one answered, the others
 * waiting their turn): a client pipelining more without reading its answers is cut off.
 */
export const pipelineDepth = 16;

/** The methods a JSON-RPC path answers (a GET is told to upgrade: it is no method of ours). */
const allow = 'POST, OPTIONS';

/** What answering HTTP requests needs from its server. */
export interface HttpListenerSetup extends PostSetup {
  readonly options: Pick<ServeOptions, 'maxPayload' | 'peer' | 'writeTimeout' | 'highWaterMark'>;
  /** The `origins` option, for the CORS headers (`'*'` allows no credentials). */
  readonly origins: OriginPolicy | undefined;
  /** Answers a GET: serve()'s says to upgrade to WebSocket. @default 405 */
  readonly get?: (request: IncomingMessage, response: ServerResponse) => void;
}

/** The HTTP side of a server: its request listeners, and what its close waits for. */
export interface HttpSide {
  /** Answers one request. Never throws. */
  readonly listener: (request: IncomingMessage, response: ServerResponse) => void;
  /** Answers a request that waits for `100 Continue` (node:http's 'checkContinue'): sent once it passes the checks. */
  readonly checkContinue: (request: IncomingMessage, response: ServerResponse) => void;
  /** Ends the POSTs being answered (see `PostInFlight.stop`), resolving once each is answered. */
  stop(drain: number): Promise<void>;
}

/**
 * Makes the request listener of a server: POST is a JSON-RPC call (see `answerPost`),
 * refused 503 while closing and 403 from an origin the policy refuses; OPTIONS answers a
 * CORS preflight (204, or 403 for an origin refused); GET goes to `get`; anything else
 * (HEAD too) is 405 with `Allow: POST, OPTIONS`. The requests of one connection wait in
 * its queue (see `connectionQueues`), and each answer must be written out within
 * `writeTimeout`. Total: a failure is reported and answered 500.
 */
export function httpListener(setup: HttpListenerSetup): HttpSide {
  const { admission, origins } = setup;
  const inFlight = new Set<PostInFlight>();
  const { take } = turnSlots(postsPerTurn);
  const queues = connectionQueues(pipelineDepth);
  const writeTimeout = setup.options.writeTimeout ?? serveDefaults.writeTimeout;
  const sessions = setup.sessions;
  const allowed = sessions === undefined ? allow : 'GET, POST, DELETE, OPTIONS';

  /** Starts answering a POST; resolves once it is answered. */
  const post = (
    request: IncomingMessage,
    response: ServerResponse,
    queued: Queued,
    sendContinue: boolean,
  ): Promise<void> | undefined => {
    const refused = admission.closing() ? 503 : originRefusal(request, admission);
    if (refused !== undefined) {
      reply(response, refused, { vary: 'Origin' }, { close: true });
      return undefined;
    }
    const turns = { connection: () => queued.turn, loop: take };
    const exchange = answerPost(request, response, corsHeaders(request, origins), setup, turns, sendContinue);
    inFlight.add(exchange);
    queued.whenGone(() => exchange.abandon());
    return exchange.done.then(() => void inFlight.delete(exchange));
  };

  const preflight = (request: IncomingMessage, response: ServerResponse): void => {
    // Without Origin it is no preflight: say what is allowed here.
    if (request.headers.origin === undefined) return reply(response, 204, { allow: allowed });
    const refused = originRefusal(request, admission);
    const methods = sessions === undefined ? 'POST' : 'GET, POST, DELETE';
    const headers: OutgoingHttpHeaders =
      refused === undefined ? preflightHeaders(request, origins, methods) : { vary: 'Origin' };
    reply(response, refused ?? 204, headers);
  };

  const answer = (request: IncomingMessage, response: ServerResponse, sendContinue: boolean): void => {
    const queued = queues.join(request.socket);
    if (queued === undefined) return cut(request);
    let answered: Promise<void> | undefined;
    try {
      answered = sessionRequest(request, response);
      if (answered !== undefined) {
        // A session's GET or DELETE: answered.
      } else if (request.method === 'POST') answered = post(request, response, queued, sendContinue);
      else if (request.method === 'OPTIONS') preflight(request, response);
      else if (request.method === 'GET' && setup.get !== undefined) setup.get(request, response);
      else reply(response, 405, { allow: allowed }, { close: true });
    } catch (cause) {
      const what = `Could not answer the ${shown(request.method)} request to ${shown(request.url)}`;
      admission.report(new TransportError(`${what}: ${messageOf(cause)}`, { cause }));
      reply(response, 500, {}, { close: true });
    }
    // The connection's next request goes on once this answer is out (or cut: see writtenOut).
    void Promise.resolve(answered)
      .then(() => writtenOut(response, request.socket, writeTimeout))
      .then(() => queued.leave());
  };

  /** A session's GET (its standing stream) or DELETE: undefined when it is none (no sessions, another GET). */
  const sessionRequest = (request: IncomingMessage, response: ServerResponse): Promise<void> | undefined => {
    if (sessions === undefined || (request.method !== 'GET' && request.method !== 'DELETE')) return undefined;
    const limit = setup.options.highWaterMark ?? defaultHighWaterMark;
    const answered = answerSessionRequest(request, response, corsHeaders(request, origins), sessions, admission, limit);
    return answered === 'other' ? undefined : answered;
  };

  const cut = (request: IncomingMessage): void => {
    // The rest of a chunk node:http parsed at once still comes after the first cut.
    if (request.socket.destroyed) return;
    const from = String(request.socket.remoteAddress);
    request.socket.destroy();
    admission.report(
      new TransportError(`Closed the connection from ${from}: over ${pipelineDepth} requests unanswered on it`),
    );
  };

  return {
    listener: (request, response) => answer(request, response, false),
    checkContinue: (request, response) => answer(request, response, true),
    stop: async (drain) => {
      await Promise.all([...[...inFlight].map((exchange) => exchange.stop(drain)), sessions?.close(drain)]);
    },
  };
}
