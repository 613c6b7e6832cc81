import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { acceptsEventStream } from './http-event-stream';
import { reply } from './http-reply';
import { standingStream } from './http-session-standing';
import { isSessionOf, type SessionTable } from './http-sessions';
import { authenticated, originRefusal, type AdmissionSetup } from './serve-admission';

/**
 * Answers the requests of a session that are not calls: a GET that takes an event stream
 * opens the session's standing stream (409 when it has one open already), held open until
 * the client leaves or the session ends; a DELETE ends the session (204). Both need the
 * session id (400 without it, 404 for one unknown or ended, or opened by a request that
 * `authenticate` gave another result) and pass the same checks as a POST (503 while closing,
 * 403 for an origin refused, `authenticate`). Returns 'other' for
 * a request it does not answer (any other GET), or resolves once answered (a standing
 * stream: once it has ended). Never rejects.
 */
export function answerSessionRequest(
  request: IncomingMessage,
  response: ServerResponse,
  headers: OutgoingHttpHeaders,
  sessions: SessionTable,
  admission: AdmissionSetup,
  limit: number,
): Promise<void> | 'other' {
  if (request.method === 'GET' && !acceptsEventStream(request)) return 'other';
  const refused = admission.closing() ? 503 : originRefusal(request, admission);
  if (refused !== undefined) {
    reply(response, refused, { vary: 'Origin' }, { close: true });
    return Promise.resolve();
  }
  return authenticated(request, admission).then((verdict) => {
    if (typeof verdict === 'number') return reply(response, verdict, headers, { close: true });
    // Looked up once authenticated: a request without credentials cannot tell a live id from an unknown one.
    const found = sessions.find(request);
    if (found === 404) return notFound(response, headers);
    if (typeof found !== 'object') {
      return reply(response, 400, headers, { text: `Bad Request: no ${sessions.header} header` });
    }
    // Another identity is not told the session exists.
    if (!isSessionOf(found, verdict)) return notFound(response, headers);
    if (request.method === 'DELETE') {
      sessions.end(found);
      return reply(response, 204, headers);
    }
    return standingStream(found, response, { ...headers, [sessions.header]: found.id }, limit, sessions.keepAlive);
  });
}

/** Answers a request naming a session that is not (or not its client's): the same for both. */
export function notFound(response: ServerResponse, headers: OutgoingHttpHeaders): void {
  reply(response, 404, headers, { text: 'Not Found: no such session (it ended, or never was)' });
}
