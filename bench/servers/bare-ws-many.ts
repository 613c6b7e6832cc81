// The plain `ws` server of W9, W10 and W11's limit rows: it keeps nothing of its own per
// connection (ws tracks its clients in a Set) and broadcasts by a hand-written loop, the tick
// written once.
import { WebSocket, WebSocketServer } from 'ws';
import { portOf, serving } from './child';
import { answerMany } from './many';

/** Starts the server, answering the workload's questions; `connected` sees each socket. */
export function bareWsServer(connected?: (socket: WebSocket) => void): WebSocketServer {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  if (connected !== undefined) server.on('connection', connected);
  answerMany({
    count: () => server.clients.size,
    broadcast: (seq, sentAt) => {
      const text = JSON.stringify({ jsonrpc: '2.0', method: 'tick', params: { seq, sentAt } });
      for (const client of server.clients) if (client.readyState === WebSocket.OPEN) client.send(text);
    },
  });
  server.on('listening', () => serving(portOf(server.address())));
  return server;
}
