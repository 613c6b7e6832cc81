import { firstValueFrom, take, toArray } from 'rxjs';
import { NotificationRouter } from '../../lib/peer/incoming/notifications';
import { closeAll, peerPair, peerWithRawServer } from '../helpers/memory-peers';
import { observe } from '../helpers/observe';
import { settle } from '../helpers/raw-end';

afterEach(closeAll);

describe('notifications$', () => {
  it('emits the params of each notification of one method, and only of it', async () => {
    const { client, server } = peerPair();
    const messages = firstValueFrom(client.notifications$<{ text: string }>('chat.message').pipe(take(2), toArray()));
    await settle();
    server.notify('chat.message', { text: 'hi' });
    server.notify('chat.typing', { who: 'ada' });
    server.notify('chat.message', { text: 'there' });
    expect(await messages).toEqual([{ text: 'hi' }, { text: 'there' }]);
  });

  it('emits undefined for a notification without params', async () => {
    const { client, server } = peerPair();
    const tick = firstValueFrom(client.notifications$('tick'));
    await settle();
    server.notify('tick');
    expect(await tick).toBeUndefined();
  });

  it('emits every notification whole when no method is given', async () => {
    const { client, server } = peerPair();
    const all = firstValueFrom(client.notifications$().pipe(take(2), toArray()));
    await settle();
    server.notify('a', [1]);
    server.notify('b');
    expect(await all).toEqual([
      { jsonrpc: '2.0', method: 'a', params: [1] },
      { jsonrpc: '2.0', method: 'b' },
    ]);
  });

  it('is hot: a subscriber sees only what arrives after it subscribed', async () => {
    const { client, server } = peerPair();
    server.notify('n', [1]);
    await settle();
    const next = firstValueFrom(client.notifications$('n'));
    server.notify('n', [2]);
    expect(await next).toEqual([2]);
  });

  it('shares one stream among several subscribers of a method', async () => {
    const { client, server } = peerPair();
    const first = firstValueFrom(client.notifications$('n'));
    const second = firstValueFrom(client.notifications$('n'));
    await settle();
    server.notify('n', ['x']);
    expect(await Promise.all([first, second])).toEqual([['x'], ['x']]);
  });

  it('emits a notification no handler takes, which is neither reported nor answered', async () => {
    const { peer, raw } = await peerWithRawServer();
    const reported = observe(peer.errors$);
    const notes = observe(peer.notifications$('note'));
    raw.send({ jsonrpc: '2.0', method: 'note', params: [1] });
    await settle();
    expect(notes.values).toEqual([[1]]);
    expect(reported.values).toEqual([]);
    expect(raw.received).toEqual([]);
  });
});

describe('NotificationRouter', () => {
  it('keeps a method only while someone listens, and says whether a message was delivered', () => {
    const router = new NotificationRouter();
    const note = { jsonrpc: '2.0', method: 'n' } as const;
    expect(router.deliver(note)).toBe(false);
    const subscription = router.of('n').subscribe();
    expect(router.deliver(note)).toBe(true);
    subscription.unsubscribe();
    expect(router.deliver(note)).toBe(false);
  });

  it('does not drop a method still listened to when another subscriber leaves', () => {
    const router = new NotificationRouter();
    const seen: unknown[] = [];
    const leaving = router.of('n').subscribe();
    router.of('n').subscribe((p) => seen.push(p));
    leaving.unsubscribe();
    router.deliver({ jsonrpc: '2.0', method: 'n', params: [1] });
    expect(seen).toEqual([[1]]);
  });
});
