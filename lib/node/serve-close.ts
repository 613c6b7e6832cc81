import type { Server } from 'node:http';
import type { WebSocketServer } from 'ws';

/**
 * Waits a moment for closing sockets to finish their close handshake, then cuts the rest
 * and closes the `ws` server (which serve() made: a user's own server is left to them).
 */
export async function closeSockets(wss: WebSocketServer, grace = 1_000): Promise<void> {
  const open = [...wss.clients].filter((socket) => socket.readyState !== socket.CLOSED);
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    Promise.all(open.map((socket) => new Promise((resolve) => socket.once('close', resolve)))),
    new Promise((resolve) => (timer = setTimeout(resolve, grace))),
  ]);
  clearTimeout(timer);
  for (const socket of open) socket.terminate();
  wss.close();
}

/**
 * Stops a server of serve()'s own: it listens no more, its idle connections close, and after
 * `grace` ms the connections still open (a client slow to read its answer, or to send a
 * request) are cut, so that closing never waits on a client.
 */
export async function closeServer(server: Server, grace = 1_000): Promise<void> {
  const timer = setTimeout(() => server.closeAllConnections(), grace);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  clearTimeout(timer);
}
