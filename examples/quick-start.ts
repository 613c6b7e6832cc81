import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { connect, fromWebSocket, JsonRpcError } from 'rx-jsonrpc';
import { webSocket } from 'rx-jsonrpc/node';

// A server: one peer per accepted socket.
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
wss.on('connection', (socket) => {
  const server = connect(fromWebSocket(socket));
  server.handle('math.sum', (numbers: number[]) => numbers.reduce((a, b) => a + b, 0));
});

// A client: calls are cold Observables, or Promises.
wss.on('listening', async () => {
  const { port } = wss.address() as AddressInfo;
  const rpc = connect(webSocket(`ws://127.0.0.1:${port}`), { timeout: 5_000 });
  rpc.request$<number>('math.sum', [1, 2]).subscribe((sum) => console.log('1 + 2 =', sum));
  console.log('2 + 3 =', await rpc.request<number>('math.sum', [2, 3]));
  await rpc.request('math.max', [4, 5]).catch((error: JsonRpcError) => console.log(error.code, error.message));
  rpc.close();
  wss.close();
});
