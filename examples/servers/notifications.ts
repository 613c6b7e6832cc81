// A server that pushes: a ticker sent to every client with notifyAll(), and a stream per
// client served with subscriptionHandler() (subscribe, updates, unsubscribe). Two clients listen.
// Run it with `npx tsx examples/servers/notifications.ts`; it exits by itself.
import { firstValueFrom, interval, lastValueFrom, map, take, toArray } from 'rxjs';
import { connect, type Peer, subscription$, subscriptionHandler } from 'rx-jsonrpc';
import { serve, webSocket } from 'rx-jsonrpc/node';

type Tick = { n: number };
type Update = { subscription: string; result: { symbol: string; price: number } };

/** A made-up price feed: a new price every 50 ms. */
const prices$ = (symbol: string) => interval(50).pipe(map((i) => ({ symbol, price: 100 + i })));

async function main(): Promise<void> {
  const server = await serve({ port: 0 }, (peer) => {
    // Answers the call with a subscription id, then sends each value as a 'prices.update'
    // notification carrying that id, until 'prices.unsubscribe' or the client leaves.
    peer.handle(
      'prices.subscribe',
      subscriptionHandler(([symbol]: [string]) => prices$(symbol), {
        notification: 'prices.update',
        unsubscribe: 'prices.unsubscribe',
      }),
    );
  });
  // One ticker for the whole server, sent to whoever is connected.
  const ticker = interval(100).subscribe((n) => server.notifyAll('clock.tick', { n }));

  const client = (name: string): Peer => {
    const rpc = connect(webSocket(server.url!), { timeout: 5_000 });
    rpc.notifications$<Tick>('clock.tick').subscribe(({ n }) => console.log(`${name} <~ clock.tick ${n}`));
    return rpc;
  };
  const ada = client('ada');
  const bob = client('bob');

  // Two ticks each, whichever they are: notifications are hot, a late listener misses earlier ones.
  await Promise.all([ada, bob].map((rpc) => lastValueFrom(rpc.notifications$('clock.tick').pipe(take(2)))));
  ticker.unsubscribe();

  // ada speaks the protocol by hand: the call answers an id, the notifications carry it.
  // Listen first: the first update may arrive right behind the answer.
  const updates = firstValueFrom(ada.notifications$<Update>('prices.update').pipe(take(3), toArray()));
  const id = await ada.request<string>('prices.subscribe', ['ACME']);
  console.log(`ada -> prices.subscribe ACME: subscription ${id}`);
  for (const { subscription, result } of await updates) {
    console.log(`ada <~ prices.update #${subscription} ${result.symbol} ${result.price}`);
  }
  console.log(`ada -> prices.unsubscribe ${id}: ${await ada.request('prices.unsubscribe', [id])}`);
  console.log(`ada -> prices.unsubscribe ${id} again: ${await ada.request('prices.unsubscribe', [id])}`);

  // bob lets subscription$() do it: subscribe on subscription, unsubscribe when take(3) is done.
  const prices = subscription$<Update['result']>(bob, 'prices.subscribe', ['INIT'], {
    notification: 'prices.update',
    unsubscribe: 'prices.unsubscribe',
  });
  for (const { symbol, price } of await lastValueFrom(prices.pipe(take(3), toArray()))) {
    console.log(`bob <~ ${symbol} ${price}`);
  }

  ada.close();
  bob.close();
  await server.close();
  console.log('closed');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
