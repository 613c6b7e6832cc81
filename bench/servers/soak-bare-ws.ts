// W11's limit: W9's bare `ws` server that also answers `echo` by hand, one parse and one
// write per call, keeping nothing of its own per connection. (W9's own stays silent, so
// that an idle connection there costs no listener.)
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { portOf, serving } from './child';
import { answerMany } from './many';

type Call = { readonly id?: unknown; readonly method?: unknown; readonly params?: unknown };

function reply(this: WebSocket, data: RawData): void {
  const { id, method, params } = JSON.parse(data as unknown as string) as Call;
  if (id === undefined) return;
  this.send(
    method === 'echo'
      ? `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":${JSON.stringify(params ?? null)}}`
      : `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"error":{"code":-32601,"message":"Method not found"}}`,
  );
}

const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
server.on('connection', (socket) => socket.on('message', reply));
answerMany({
  count: () => server.clients.size,
  broadcast: (seq, sentAt) => {
    const text = JSON.stringify({ jsonrpc: '2.0', method: 'tick', params: { seq, sentAt } });
    for (const client of server.clients) if (client.readyState === WebSocket.OPEN) client.send(text);
  },
});
server.on('listening', () => serving(portOf(server.address())));
