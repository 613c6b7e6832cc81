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
