// W8's limit: what two processes sharing Redis pub/sub can do with plain `ws` and node-redis
// and nothing else. A tick is written once as JSON-RPC text, published first (so that the
// other process starts at once), then sent as that same text to each client of this one.
import { createClient } from 'redis';
import { WebSocket, WebSocketServer } from 'ws';
import { answer, portOf, serving } from './child';

// One channel per W8 row (the workload names it), so that rows never hear each other.
const channel = process.env.CHANNEL ?? 'bench-bare';
// Every process hears its own publications: the prefix tells them apart.
const self = `${process.pid}|`;
const clients = new Set<WebSocket>();

const sendAll = (text: string) => {
  for (const client of clients) if (client.readyState === WebSocket.OPEN) client.send(text);
};

async function main(): Promise<void> {
  const publisher = createClient({ url: process.env.REDIS_URL, disableOfflineQueue: true });
  const subscriber = publisher.duplicate();
  await Promise.all([publisher.connect(), subscriber.connect()]);
  await subscriber.subscribe(channel, (message) => {
    if (!message.startsWith(self)) sendAll(message.slice(message.indexOf('|') + 1));
  });
  answer(({ type, seq }) => {
    if (type === 'clients') return { count: clients.size, errors: [] };
    if (type !== 'tick') return undefined;
    const sentAt = performance.timeOrigin + performance.now();
    const text = JSON.stringify({ jsonrpc: '2.0', method: 'tick', params: { seq, sentAt } });
    void publisher.publish(channel, self + text);
    sendAll(text);
    return { notifyMs: performance.timeOrigin + performance.now() - sentAt };
  });
  // Listens once subscribed and ready to answer the workload.
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  server.on('connection', (socket) => {
    clients.add(socket);
    socket.on('close', () => clients.delete(socket));
  });
  server.on('listening', () => serving(portOf(server.address())));
}

void main();
