import { connect, JsonRpcError } from 'rx-jsonrpc';
import { serve, webSocket } from 'rx-jsonrpc/node';

async function main(): Promise<void> {
  // A server on a free port of 127.0.0.1: one peer per client, set up with its handlers.
  const server = await serve({ port: 0 }, (peer) => {
    peer.handle('math.sum', (numbers: number[]) => numbers.reduce((a, b) => a + b, 0));
  });

  // A client: calls are cold Observables, or Promises.
  const rpc = connect(webSocket(server.url!), { timeout: 5_000 });
  rpc.request$<number>('math.sum', [1, 2]).subscribe((sum) => console.log('1 + 2 =', sum));
  console.log('2 + 3 =', await rpc.request<number>('math.sum', [2, 3]));
  await rpc.request('math.max', [4, 5]).catch((error: JsonRpcError) => console.log(error.message));

  rpc.close();
  await server.close();
}

void main();
