// W11's limit: W9's bare `ws` server that also answers `echo` by hand, one parse and one
// write per call, keeping nothing of its own per connection. (W9's own stays silent, so
// that an idle connection there costs no listener.)
import type { RawData, WebSocket } from 'ws';
import { bareWsServer } from './bare-ws-many';

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

bareWsServer((socket) => socket.on('message', reply));
