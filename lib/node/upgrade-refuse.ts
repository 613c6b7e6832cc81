import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

const statusText: { readonly [status: number]: string } = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Refuses an upgrade with an HTTP status, then closes the socket. */
export function refuseUpgrade(socket: Duplex, status: number): void {
  // Node's server takes its own 'error' listener off an upgrading socket: without one, a
  // client resetting the connection now would crash the process.
  socket.on('error', () => undefined);
  socket.end(`HTTP/1.1 ${status} ${statusText[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** Answers a GET without Upgrade on serve()'s path: a WebSocket client that forgot to ask, or a browser's address bar. */
export function upgradeRequired(_request: IncomingMessage, response: ServerResponse): void {
  response.writeHead(426, { 'content-type': 'text/plain', connection: 'close', upgrade: 'websocket' });
  response.end('JSON-RPC here: upgrade to WebSocket, or POST calls with Content-Type: application/json.\n');
}
