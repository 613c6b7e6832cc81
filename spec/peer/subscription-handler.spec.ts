import { filter, finalize, firstValueFrom, interval, map, Observable, Subject, take, toArray } from 'rxjs';
import { reconnecting, subscriptionHandler } from 'rx-jsonrpc';
import { closeAll, peerPair, peerWithRawServer } from '../helpers/memory-peers';
import { settle } from '../helpers/raw-end';

afterEach(closeAll);

describe('subscriptionHandler', () => {
  it('answers with a subscription id, then sends each value as a notification carrying it', async () => {
    const { client, server } = peerPair();
    const ticks = new Subject<number>();
    server.handle(
      'ticks.subscribe',
      subscriptionHandler(() => ticks, { notification: 'ticks.update' }),
    );
    const updates = firstValueFrom(client.notifications$('ticks.update').pipe(take(2), toArray()));
    const id = await client.request<string>('ticks.subscribe');
    expect(id).toBe('1');
    ticks.next(10);
    ticks.next(11);
    expect(await updates).toEqual([
      { subscription: '1', result: 10 },
      { subscription: '1', result: 11 },
    ]);
  });

  it('sends the answer before the first notification, even for a stream that emits at once', async () => {
    const { peer: client, raw } = await peerWithRawServer();
    client.handle(
      'feed',
      subscriptionHandler(() => new Observable<number>((s) => s.next(1)), { notification: 'feed.item' }),
    );
    raw.send({ jsonrpc: '2.0', id: 7, method: 'feed' });
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', id: 7, result: '1' });
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', method: 'feed.item', params: { subscription: '1', result: 1 } });
  });

  it('passes the params and shapes the notification params as asked', async () => {
    const { client, server } = peerPair();
    server.handle(
      'prices.watch',
      subscriptionHandler(([symbol]: [string]) => interval(1).pipe(map((n) => `${symbol}:${n}`)), {
        notification: 'prices.tick',
        params: (subscription, value) => [subscription, value],
      }),
    );
    const first = firstValueFrom(client.notifications$<[string, string]>('prices.tick'));
    await client.request('prices.watch', ['EUR']);
    expect(await first).toEqual(['1', 'EUR:0']);
  });

  it('stops a stream when the client calls the unsubscribe method, and answers false after', async () => {
    const { client, server } = peerPair();
    let stopped = 0;
    const endless = new Observable<number>(() => () => stopped++);
    server.handle(
      's.on',
      subscriptionHandler(() => endless, { notification: 's.data', unsubscribe: 's.off' }),
    );
    const id = await client.request<string>('s.on');
    await settle();
    await expect(client.request('s.off', [id])).resolves.toBe(true);
    expect(stopped).toBe(1);
    await expect(client.request('s.off', [id])).resolves.toBe(false);
    await expect(client.request('s.off', { subscription: 'nope' })).resolves.toBe(false);
  });

  it('gives each subscription its own id and stream', async () => {
    const { client, server } = peerPair();
    const sources = new Map<string, Subject<string>>();
    server.handle(
      'room.join',
      subscriptionHandler(
        ([room]: [string]) => {
          const source = new Subject<string>();
          sources.set(room, source);
          return source;
        },
        { notification: 'room.message' },
      ),
    );
    const [a, b] = await Promise.all([client.request('room.join', ['a']), client.request('room.join', ['b'])]);
    expect(new Set([a, b]).size).toBe(2);
    const messages = firstValueFrom(
      client.notifications$<{ subscription: string; result: string }>('room.message').pipe(take(2), toArray()),
    );
    await settle();
    sources.get('b')!.next('to b');
    sources.get('a')!.next('to a');
    const received = await messages;
    expect(received).toEqual([
      { subscription: b, result: 'to b' },
      { subscription: a, result: 'to a' },
    ]);
  });

  it('ends every stream when the peer closes', async () => {
    const { client, server } = peerPair();
    let stopped = false;
    server.handle(
      's',
      subscriptionHandler(() => new Observable(() => () => (stopped = true)), { notification: 'n' }),
    );
    await client.request('s');
    await settle();
    server.close();
    expect(stopped).toBe(true);
  });

  it('ends a stream whose value cannot be sent, without crashing', async () => {
    const { client, server } = peerPair();
    const values = new Subject<unknown>();
    server.handle(
      's',
      subscriptionHandler(() => values, { notification: 'n' }),
    );
    const delivered = firstValueFrom(client.notifications$('n').pipe(filter(Boolean)));
    await client.request('s');
    await settle();
    values.next({ big: 1n });
    expect(values.observed).toBe(false);
    values.next('never sent');
    await settle();
    await expect(Promise.race([delivered, settle().then(() => 'nothing')])).resolves.toBe('nothing');
  });

  it('stops every stream when the link drops', async () => {
    const again = new Subject<void>();
    const { peer, raw, link } = await peerWithRawServer({ reconnect: reconnecting({ delay: () => again }) });
    let stopped = 0;
    const source = new Subject<number>();
    peer.handle(
      'feed',
      subscriptionHandler(() => source.pipe(finalize(() => stopped++)), { notification: 'feed.item' }),
    );
    raw.send({ jsonrpc: '2.0', id: 1, method: 'feed' });
    raw.send({ jsonrpc: '2.0', id: 2, method: 'feed' });
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', id: 1, result: '1' });
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', id: 2, result: '2' });
    await settle();
    expect(source.observed).toBe(true);
    link.drop(1006);
    await settle();
    expect(stopped).toBe(2);
    expect(source.observed).toBe(false);
  });

  it('stops the stream the unsubscribe call names, by its id in named or positional params', async () => {
    const { peer, raw } = await peerWithRawServer();
    const stopped: string[] = [];
    peer.handle(
      'feed',
      subscriptionHandler(([name]: [string]) => new Subject<number>().pipe(finalize(() => stopped.push(name))), {
        notification: 'feed.item',
        unsubscribe: 'feed.stop',
      }),
    );
    raw.send({ jsonrpc: '2.0', id: 1, method: 'feed', params: ['a'] });
    raw.send({ jsonrpc: '2.0', id: 2, method: 'feed', params: ['b'] });
    await raw.next();
    await raw.next();
    await settle();
    raw.send({ jsonrpc: '2.0', id: 3, method: 'feed.stop', params: { subscription: '2' } });
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', id: 3, result: true });
    expect(stopped).toEqual(['b']);
    raw.send({ jsonrpc: '2.0', id: 4, method: 'feed.stop', params: [2] });
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', id: 4, result: false });
    raw.send({ jsonrpc: '2.0', id: 5, method: 'feed.stop' });
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', id: 5, result: false });
    raw.send({ jsonrpc: '2.0', id: 6, method: 'feed.stop', params: ['1'] });
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', id: 6, result: true });
    expect(stopped).toEqual(['b', 'a']);
  });

  it('gives each subscription a new id, counting up', async () => {
    const { peer, raw } = await peerWithRawServer();
    peer.handle(
      'feed',
      subscriptionHandler(() => new Subject<number>(), { notification: 'feed.item' }),
    );
    for (const id of [1, 2, 3]) raw.send({ jsonrpc: '2.0', id, method: 'feed' });
    expect([await raw.next(), await raw.next(), await raw.next()]).toEqual([
      { jsonrpc: '2.0', id: 1, result: '1' },
      { jsonrpc: '2.0', id: 2, result: '2' },
      { jsonrpc: '2.0', id: 3, result: '3' },
    ]);
  });

  it('ends a stream that errors or completes, so that unsubscribing it later answers false', async () => {
    const { peer, raw } = await peerWithRawServer();
    const sources = [new Subject<number>(), new Subject<number>()];
    let n = 0;
    peer.handle(
      'feed',
      subscriptionHandler(() => sources[n++]!, { notification: 'feed.item', unsubscribe: 'feed.stop' }),
    );
    raw.send({ jsonrpc: '2.0', id: 1, method: 'feed' });
    raw.send({ jsonrpc: '2.0', id: 2, method: 'feed' });
    await raw.next();
    await raw.next();
    await settle();
    sources[0]!.error(new Error('gone'));
    sources[1]!.complete();
    raw.send({ jsonrpc: '2.0', id: 3, method: 'feed.stop', params: ['1'] });
    raw.send({ jsonrpc: '2.0', id: 4, method: 'feed.stop', params: ['2'] });
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', id: 3, result: false });
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', id: 4, result: false });
  });
});
