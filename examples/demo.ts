// `npm start`: a WebSocket server and two clients in one process, talking JSON-RPC 2.0.
// Run it with `npx tsx examples/demo.ts`; it exits by itself after a few seconds at most.
import { filter, firstValueFrom, forkJoin, map, timer } from 'rxjs';
import { connect, JsonRpcError, reconnecting, RequestTimeoutError, type PeerState } from 'rx-jsonrpc';
import { serve, webSocket, type JsonRpcServer } from 'rx-jsonrpc/node';

const log = (line: string) => console.log(line);
const show = (value: unknown) => JSON.stringify(value);
const why = (state: PeerState) => {
  if (state.status === 'reconnecting') return ` (attempt ${state.attempt}, after: ${state.error.message})`;
  return state.status === 'closed' && state.error ? ` (${state.error.message})` : '';
};

// Params are plain JSON shapes: type aliases (an interface has no index signature to match JsonRpcParams).
type Chat = { from: string; text: string };
type Order = { item: string; price: number };

/** The server: serve() gives each client a peer of its own, and setup registers its handlers. */
async function startServer(port = 0): Promise<JsonRpcServer> {
  // Typed, so that handlers may use `server`: they run only once it is listening.
  const server: JsonRpcServer = await serve({ port }, (peer) => {
    peer.state$.subscribe((state) => state.status === 'closed' && log(`server: a client's peer closed${why(state)}`));

    peer.handle('math.sum', (numbers: number[]) => numbers.reduce((a, b) => a + b, 0));
    peer.handle('chat.send', (message: Chat) => {
      server.notifyAll('chat.message', message);
      return server.peers.size;
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
  return server;
}

async function main(): Promise<void> {
  let server = await startServer();
  log('(-> sends a call, <- gets its answer or a call, <~ gets a notification)');
  log(`server listening on ${server.url}`);

  // reconnect: after a drop, the client opens a new link by itself (backoff shortened for the demo).
  const client = connect(webSocket(server.url!), {
    timeout: 5_000,
    reconnect: reconnecting({ delay: () => timer(100) }),
  });
  client.state$.subscribe((state) => log(`client state: ${state.status}${why(state)}`));
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
  const other = connect(webSocket(server.url!));
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
    log(`client <- ${error.name}: ${error.message}`);
  }

  log('client -> report.slow (timeout: 300 ms for this call)');
  try {
    await client.request('report.slow', [], { timeout: 300 });
  } catch (error) {
    if (!(error instanceof RequestTimeoutError)) throw error;
    log(`client <- ${error.name}: ${error.message}`);
  }

  // A deploy: the server goes away and comes back on the same port. The client reconnects.
  log('restarting the server on the same port');
  const port = Number(new URL(server.url!).port);
  // The server does not know the client gave up on report.slow: a drain would wait for it.
  await server.close({ drain: 0 });
  await firstValueFrom(client.state$.pipe(filter((state) => state.status === 'reconnecting')));
  server = await startServer(port);
  await firstValueFrom(client.state$.pipe(filter((state) => state.status === 'open')));
  log('client -> math.sum [5,5] (on the new link)');
  log(`client <- ${await client.request<number>('math.sum', [5, 5])}`);

  log('closing: the clients, then the server');
  client.close();
  other.close();
  await server.close({ drain: 0 });
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
