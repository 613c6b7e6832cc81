import { request as httpRequest } from 'node:http';

/**
 * Sends a WebSocket upgrade request to `url` (its path, or `path` when given) with extra
 * `headers`, and resolves with the HTTP status of the answer (101 when upgraded).
 * `setHost: false` leaves the Host header to `headers`.
 */
export function upgradeStatus(
  url: string,
  options: { readonly path?: string; readonly headers?: Record<string, string>; readonly setHost?: boolean } = {},
): Promise<number> {
  const { hostname, port, pathname } = new URL(url);
  return new Promise((resolve, reject) => {
    const request = httpRequest({
      host: hostname,
      port,
      path: options.path ?? pathname,
      setHost: options.setHost ?? true,
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        ...options.headers,
      },
    });
    request.on('upgrade', (response, socket) => {
      socket.destroy();
      resolve(response.statusCode!);
    });
    request.on('response', (response) => {
      response.resume();
      resolve(response.statusCode!);
    });
    request.on('error', reject);
    request.end();
  });
}
