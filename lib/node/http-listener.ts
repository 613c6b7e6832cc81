import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { messageOf, TransportError } from '../protocol/errors';
import { corsHeaders, preflightHeaders } from './http-cors';
import { answerPost, type PostInFlight, type PostSetup } from './http-post';
import { reply } from './http-reply';
import { turnSlots } from './http-turns';
import { originRefusal, shown } from './serve-admission';
import type { OriginPolicy } from './origin-policy';

/** How many POSTs get their peer in one turn of the event loop (~0.2 ms each); the others wait for the next turns. */
const postsPerTurn = 32;

/** What answering HTTP requests needs from its server. */
export interface HttpListenerSetup extends PostSetup {
  /** The `origins` option, for the CORS headers (`'*'` allows no credentials). */
  readonly origins: OriginPolicy | undefined;
  /** Answers a GET: serve()'s says to upgrade to WebSocket. @default 405 */
  readonly get?: (request: IncomingMessage, response: ServerResponse) => void;
}

/** The HTTP side of a server: its request listener, and what its close waits for. */
export interface HttpSide {
  /** Answers one request. Never throws. */
  readonly listener: (request: IncomingMessage, response: ServerResponse) => void;
  /** Ends the POSTs being answered (see `PostInFlight.stop`), resolving once each is answered. */
  stop(drain: number): Promise<void>;
}

/**
 * Makes the request listener of a server: POST is a JSON-RPC call (see `answerPost`),
 * refused 503 while closing and 403 from an origin the policy refuses; OPTIONS answers a
 * CORS preflight (204, or 403 for an origin refused); GET goes to `get`; anything else is
 * 405 with `Allow`. Total: a failure is reported and answered 500.
 */
export function httpListener(setup: HttpListenerSetup): HttpSide {
  const { admission, origins } = setup;
  const inFlight = new Set<PostInFlight>();
  const { take } = turnSlots(postsPerTurn);
  const allow = setup.get === undefined ? 'POST, OPTIONS' : 'GET, POST, OPTIONS';

  const post = (request: IncomingMessage, response: ServerResponse): void => {
    const refused = admission.closing() ? 503 : originRefusal(request, admission);
    if (refused !== undefined) return reply(response, refused, { vary: 'Origin' }, { close: true });
    const exchange = answerPost(request, response, corsHeaders(request, origins), setup, take);
    inFlight.add(exchange);
    void exchange.done.then(() => inFlight.delete(exchange));
  };

  const preflight = (request: IncomingMessage, response: ServerResponse): void => {
    // Without Origin it is no preflight: say what is allowed here.
    if (request.headers.origin === undefined) return reply(response, 204, { allow });
    const refused = originRefusal(request, admission);
    const headers: OutgoingHttpHeaders =
      refused === undefined ? preflightHeaders(request, origins) : { vary: 'Origin' };
    reply(response, refused ?? 204, headers);
  };

  const listener = (request: IncomingMessage, response: ServerResponse): void => {
    try {
      if (request.method === 'POST') post(request, response);
      else if (request.method === 'OPTIONS') preflight(request, response);
      else if (request.method === 'GET' && setup.get !== undefined) setup.get(request, response);
      else reply(response, 405, { allow }, { close: true });
    } catch (cause) {
      const what = `Could not answer the ${shown(request.method)} request to ${shown(request.url)}`;
      admission.report(new TransportError(`${what}: ${messageOf(cause)}`, { cause }));
      reply(response, 500, {}, { close: true });
    }
  };

  return {
    listener,
    stop: async (drain) => {
      await Promise.all([...inFlight].map((exchange) => exchange.stop(drain)));
    },
  };
}
