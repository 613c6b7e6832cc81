// `npm start`: a WebSocket server and two clients in one process, talking JSON-RPC 2.0.
// Run it with `npx tsx examples/demo.ts`; it exits by itself after a few seconds at most.
import type { AddressInfo } from 'node:net';
import { filter, firstValueFrom, forkJoin, lastValueFrom, map, timer } from 'rxjs';
import { WebSocketServer } from 'ws';
import { connect, fromWebSocket, JsonRpcError, RequestTimeoutError, type Peer } from 'rx-jsonrpc';
import { webSocket } from 'rx-jsonrpc/node';

const log = (line: string) => console.log(line);
const show = (value: unknown) => JSON.stringify(value);

// Params are plain JSON shapes: type aliases (an interface has no index signature to match JsonRpcParams).
type Chat = { from: string; text: string };
type Order = { item: string; price: number };

/** The server: one peer per accepted socket, all of them serving the same methods. */
function startServer(): Promise<{ url: string; stop(): Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  const peers = new Set<Peer>();

  wss.on('connection', (socket) => {
    const peer = connect(fromWebSocket(socket));
    peers.add(peer);
    peer.state$.subscribe((state) => {
      if (state.status !== 'closed') return;
      peers.delete(peer);
      log(`server: ${state.error?.message ?? 'peer closed'}`);
    });

    peer.handle('math.sum', (numbers: number[]) => numbers.reduce((a, b) => a + b, 0));
    peer.handle('chat.send', (message: Chat) => {
      for (const each of peers) each.notify('chat.message', message);
      return peers.size;
    });
    // Calls the client back before answering: the client is a server too.
    peer.handle('order.place', async (order: Order, ctx) => {
      const text = `Buy ${order.item} for ${order.price} EUR?`;
      log(`    server -> ui.confirm ${show({ text })}`);
      const yes = await ctx.peer.request<boolean>('ui.confirm', { text });
      log(`    server <- ${show(yes)}`);
      return yes ? { order: 'A-17', status: 'placed' } : { status: 'cancelled' };
    });
    // An Observable answer: closing the peer unsubscribes it, so no timer outlives the demo.
    peer.handle('report.slow', () => timer(5_000).pipe(map(() => 'finally done')));
  });

  return new Promise((resolve) =>
    wss.once('listening', () => {
      const { port } = wss.address() as AddressInfo;
      const stop = async () => {
        // The server peers close when their clients do; wait for that, then stop listening.
        await Promise.all([...peers].map((peer) => lastValueFrom(peer.state$, { defaultValue: undefined })));
        await new Promise((done) => wss.close(done));
      };
      resolve({ url: `ws://127.0.0.1:${port}`, stop });
    }),
  );
}

async function main(): Promise<void> {
  const server = await startServer();
  log('(-> sends a call, <- gets its answer or a call, <~ gets a notification)');
  log(`server listening on ${server.url}`);

  const client = connect(webSocket(server.url), { timeout: 5_000 });
  client.state$.subscribe((state) => log(`client state: ${state.status}`));
  client
    .notifications$<Chat>('chat.message')
    .subscribe(({ from, text }) => log(`client <~ chat.message ${from}: ${text}`));
  client.handle('ui.confirm', ({ text }: { text: string }) => {
    log(`  client <- ui.confirm "${text}"`);
    log('  client -> true');
    return true;
  });

  // A Promise. The link is still opening: the call waits for it, then goes out.
  log('client -> math.sum [1,2] (waits for the link to open)');
  log(`client <- ${await client.request<number>('math.sum', [1, 2])}`);

  // A cold Observable: nothing is sent until subscription, and it composes with operators.
  log('client -> math.sum [20,22], piped through map(n => n * 2)');
  const doubled = await firstValueFrom(client.request$<number>('math.sum', [20, 22]).pipe(map((n) => n * 2)));
  log(`client <- ${doubled}`);

  log('client -> math.sum [1,1], [2,2], [3,3] all at once (forkJoin)');
  const sums = await firstValueFrom(forkJoin([1, 2, 3].map((n) => client.request$<number>('math.sum', [n, n]))));
  log(`client <- ${show(sums)}`);

  // A second client, to show the broadcast reaching everyone.
  const other = connect(webSocket(server.url));
  await firstValueFrom(other.state$.pipe(filter((state) => state.status === 'open')));
  const otherHeard = firstValueFrom(other.notifications$<Chat>('chat.message'));
  log('client -> chat.send "hello"');
  const receivers = await client.request<number>('chat.send', { from: 'client', text: 'hello' });
  log(`client <- delivered to ${receivers} clients`);
  const heard = await otherHeard;
  log(`other  <~ chat.message ${heard.from}: ${heard.text}`);

  log('client -> order.place {"item":"coffee","price":3}');
  log(`client <- ${show(await client.request('order.place', { item: 'coffee', price: 3 }))}`);

  log('client -> math.product [2,3] (a method the server does not have)');
  try {
    await client.request('math.product', [2, 3]);
  } catch (error) {
    if (!(error instanceof JsonRpcError)) throw error;
    log(`client <- ${error.name} ${error.code} "${error.message}"`);
  }

  log('client -> report.slow (timeout: 300 ms for this call)');
  try {
    await client.request('report.slow', [], { timeout: 300 });
  } catch (error) {
    if (!(error instanceof RequestTimeoutError)) throw error;
    log(`client <- ${error.name}: ${error.message}`);
  }

  log('closing');
  client.close();
  other.close();
  await server.stop();
  log(`done (${client.pendingCount} calls pending)`);
}

// A bound on the whole run; unref'd so it never keeps the process alive by itself.
setTimeout(() => {
  console.error('demo: still running after 10 s, giving up');
  process.exit(1);
}, 10_000).unref();

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
