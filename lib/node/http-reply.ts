import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

const reasons: { readonly [status: number]: string } = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden: this origin may not call this server',
  404: 'Not Found',
  405: 'Method Not Allowed: POST JSON-RPC calls here',
  413: 'Payload Too Large',
  409: 'Conflict',
  415: 'Unsupported Media Type: send Content-Type: application/json',
  500: 'Internal Server Error',
  503: 'Service Unavailable: the server is shutting down',
};

/**
 * Answers an HTTP request once, whatever state its response is in: a second answer, or one
 * to a client that has gone, does nothing. The body is `json` (a JSON-RPC answer), or a
 * short text saying why (`text`, or the status's own words; 204 has none). `close` ends the
 * connection after it, for an answer sent before the body was read (the rest of it is not
 * worth receiving). Never throws: a response that cannot be written (a header value Node
 * refuses) is destroyed instead.
 */
export function reply(
  response: ServerResponse,
  status: number,
  headers: OutgoingHttpHeaders,
  { json, text, close = false }: { readonly json?: string; readonly text?: string; readonly close?: boolean } = {},
): void {
  if (response.headersSent || response.destroyed) return;
  try {
    write(response, status, headers, json, text, close);
  } catch {
    response.destroy();
  }
}

function write(
  response: ServerResponse,
  status: number,
  headers: OutgoingHttpHeaders,
  json: string | undefined,
  text: string | undefined,
  close: boolean,
): void {
  // A 202 (what a session's POST of answers or notifications gets) has no body either, as MCP says: a client
  // would read one as a frame, and answer what it cannot parse.
  const empty = status === 204 || (status === 202 && json === undefined && text === undefined);
  const body = empty ? '' : (json ?? `${text ?? reasons[status] ?? 'Error'}\n`);
  const all: OutgoingHttpHeaders = { ...headers };
  // A 204 has no body, and so no Content-Length either (RFC 9110, 8.6).
  if (status === 202 && empty) all['content-length'] = 0;
  else if (status !== 204) {
    all['content-type'] = json === undefined ? 'text/plain; charset=utf-8' : 'application/json';
    all['content-length'] = Buffer.byteLength(body);
  }
  if (close) all.connection = 'close';
  response.writeHead(status, all).end(body);
}
