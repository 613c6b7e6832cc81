// Early notifications (those arriving while a subscribe call is unanswered) are kept within a
// byte budget, oldest dropped first: through subscription$() with the default budget and with
// maxEarlyNotificationBytes, and through the routers' own API for the measure and the drop report.
import { Subject } from 'rxjs';
import { ProtocolError, subscription$, type RpcError } from 'rx-jsonrpc';
import { subscriptionRouters } from '../../lib/features/subscription-router';
import { closeAll, peerWithRawServer } from '../helpers/memory-peers';
import { observe } from '../helpers/observe';
import { settle, type RawEnd } from '../helpers/raw-end';

afterEach(closeAll);

const ticks = { notification: 'ticks' };
const tick = (subscription: unknown, result: unknown) => ({
  jsonrpc: '2.0',
  method: 'ticks',
  params: { subscription, result },
});
const padded = (n: number, characters: number) => ({ n, pad: 'x'.repeat(characters) });
const numbers = (values: readonly unknown[]) => values.map((value) => (value as { n: number }).n);
/** The documented default of maxEarlyNotificationBytes: 1 MiB. */
const oneMiB = 1_048_576;

/** A peer whose subscribe call waits, the raw server end, and a function that answers it with `sub-1`. */
async function waitingSubscription() {
  const { peer, raw } = await peerWithRawServer();
  const values = observe(subscription$<unknown>(peer, 'ticks.subscribe', [], ticks));
  const call = (await raw.next()) as { id: number };
  const answer = async () => {
    raw.send({ jsonrpc: '2.0', id: call.id, result: 'sub-1' });
    await settle();
  };
  return { raw, values, answer };
}

describe('subscription$', () => {
  describe('when early notifications pass the default budget of 1 MiB', () => {
    it('keeps the newest that fit, dropping the oldest first', async () => {
      const { raw, values, answer } = await waitingSubscription();
      for (const n of [1, 2, 3]) raw.send(tick('sub-1', padded(n, 400_000)));
      await answer();
      expect(numbers(values.values)).toEqual([2, 3]);
    });

    it('drops one larger than the whole budget on arrival, and keeps the others', async () => {
      const { raw, values, answer } = await waitingSubscription();
      raw.send(tick('sub-1', padded(1, 10)));
      raw.send(tick('sub-1', padded(2, oneMiB)));
      raw.send(tick('sub-1', padded(3, 10)));
      await answer();
      expect(numbers(values.values)).toEqual([1, 3]);
    });

    it('keeps one just under 1 MiB, and drops one just over it, reporting the budget on errors$', async () => {
      const { peer, raw } = await peerWithRawServer();
      const reported = observe(peer.errors$);
      const values = observe(subscription$<unknown>(peer, 'ticks.subscribe', [], ticks));
      const call = (await raw.next()) as { id: number };
      // Measured as about the length of the params' JSON text: the padding, and some 60 more.
      raw.send(tick('sub-1', padded(1, oneMiB - 100)));
      await settle();
      expect(reported.values).toEqual([]);
      raw.send(tick('sub-1', padded(2, oneMiB)));
      raw.send({ jsonrpc: '2.0', id: call.id, result: 'sub-1' });
      await settle();
      expect(numbers(values.values)).toEqual([1]);
      expect(reported.values).toHaveLength(1);
      expect(reported.values[0]).toBeInstanceOf(ProtocolError);
      expect(reported.values[0]!.message).toBe(
        'Early notifications of ticks dropped: more than 1048576 bytes (maxEarlyNotificationBytes) or 1000 of them ' +
          'arrived before a subscribe call was answered',
      );
    });

    it('counts what notifications for other ids hold too', async () => {
      const { raw, values, answer } = await waitingSubscription();
      raw.send(tick('sub-1', padded(1, 10)));
      raw.send(tick('sub-9', padded(0, 600_000)));
      raw.send(tick('sub-9', padded(0, 600_000)));
      raw.send(tick('sub-1', padded(2, 10)));
      await answer();
      expect(numbers(values.values)).toEqual([2]);
    });
  });

  describe('with maxEarlyNotificationBytes', () => {
    it('keeps the early notifications within that budget, and reports the drop on errors$', async () => {
      const { peer, raw } = await peerWithRawServer();
      const reported: RpcError[] = [];
      peer.errors$.subscribe((error) => reported.push(error));
      const values = observe(
        subscription$<{ n: number }>(peer, 'ticks.subscribe', [], { ...ticks, maxEarlyNotificationBytes: 350 }),
      );
      const call = (await raw.next()) as { id: number };
      for (const n of [1, 2, 3]) raw.send(tick('sub-1', padded(n, 100)));
      await settle();
      raw.send({ jsonrpc: '2.0', id: call.id, result: 'sub-1' });
      await settle();
      expect(numbers(values.values)).toEqual([2, 3]);
      expect(reported).toHaveLength(1);
      expect(reported[0]).toBeInstanceOf(ProtocolError);
    });
  });

  describe('when more than 1,000 small notifications arrive early', () => {
    it('keeps the newest 1,000', async () => {
      const { raw, values, answer } = await waitingSubscription();
      for (let n = 1; n <= 1005; n++) raw.send(tick('sub-1', padded(n, 0)));
      await answer();
      expect(numbers(values.values)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 6));
    });
  });

  describe('once the subscribe call is answered', () => {
    it('delivers every notification, whatever the budget', async () => {
      const { raw, values, answer } = await waitingSubscription();
      await answer();
      for (const n of [1, 2, 3]) raw.send(tick('sub-1', padded(n, 600_000)));
      await settle();
      expect(numbers(values.values)).toEqual([1, 2, 3]);
    });
  });

  describe('when notifications arrive before the subscribe answer', () => {
    const withUnsubscribe = { ...ticks, unsubscribe: 'ticks.unsubscribe' };

    /** Reads the subscribe call the server end received and answers it with `id`. */
    async function acceptSubscribe(raw: RawEnd, id: unknown, expected: unknown) {
      const call = (await raw.next()) as { id: number; method: string; params: unknown };
      expect(call).toMatchObject({ jsonrpc: '2.0', method: 'ticks.subscribe', params: expected });
      raw.send({ jsonrpc: '2.0', id: call.id, result: id });
      await settle();
    }

    it('hands over the early ones carrying its id, in order, and drops the others', async () => {
      const { peer, raw } = await peerWithRawServer();
      const prices = observe(subscription$<number>(peer, 'ticks.subscribe', ['BTC'], withUnsubscribe));
      const call = (await raw.next()) as { id: number };
      raw.send(tick('sub-1', 1));
      raw.send(tick('sub-9', 99));
      raw.send(tick('sub-1', 2));
      raw.send({ jsonrpc: '2.0', id: call.id, result: 'sub-1' });
      raw.send(tick('sub-1', 3));
      await settle();
      expect(prices.values).toEqual([1, 2, 3]);
    });

    it('keeps nothing once no subscribe call waits', async () => {
      const { peer, raw } = await peerWithRawServer();
      const first = observe(subscription$<number>(peer, 'ticks.subscribe', ['BTC'], withUnsubscribe));
      await acceptSubscribe(raw, 'sub-1', ['BTC']);
      // No call waits now: a notification for an id not yet known is not kept for later.
      raw.send(tick('sub-2', 'early for nobody'));
      await settle();
      const second = observe(subscription$<number>(peer, 'ticks.subscribe', ['ETH'], withUnsubscribe));
      await acceptSubscribe(raw, 'sub-2', ['ETH']);
      raw.send(tick('sub-2', 'after'));
      await settle();
      expect(second.values).toEqual(['after']);
      expect(first.values).toEqual([]);
    });
  });
});

describe('subscriptionRouters', () => {
  const subscriptionField = (params: unknown) => (params as { subscription?: unknown }).subscription;

  /** A router of `ticks` with `bytes` of budget, its notifications pushed by hand, and what it reports. */
  function routerWith(bytes: number) {
    const notifications = new Subject<unknown>();
    const reported: RpcError[] = [];
    const router = subscriptionRouters(() => notifications, { bytes, report: (error) => reported.push(error) })(
      'ticks',
      subscriptionField,
    );
    const received: unknown[] = [];
    const send = (subscription: unknown, result: unknown) => notifications.next({ subscription, result });
    const attach = () => router.attach('sub-1', (params) => received.push((params as { result: unknown }).result));
    return { router, reported, received, send, attach };
  }

  it('keeps early notifications within the byte budget given', () => {
    const { router, received, send, attach } = routerWith(150);
    router.expect();
    for (const n of [1, 2, 3, 4]) send('sub-1', `${n}${'x'.repeat(30)}`);
    attach();
    expect(received.map((value) => String(value)[0])).toEqual(['3', '4']);
  });

  it('measures nested arrays and objects, strings by their length', () => {
    const { router, received, send, attach } = routerWith(250);
    router.expect();
    send('sub-1', { list: [['x'.repeat(100)], 1, true, null] });
    send('sub-1', { list: [['x'.repeat(250)]] });
    send('sub-1', { deep: { deeper: Array.from({ length: 300 }, () => 0) } });
    send('sub-1', 'small');
    attach();
    expect(received).toEqual([{ list: [['x'.repeat(100)], 1, true, null] }, 'small']);
  });

  it('measures a huge array no further than the budget, and drops a wide object', () => {
    const { router, received, send, attach } = routerWith(1000);
    router.expect();
    const huge = new Array<number>(10_000_000).fill(0);
    const started = performance.now();
    send('sub-1', huge);
    expect(performance.now() - started).toBeLessThan(100);
    send('sub-1', Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, i])));
    send('sub-1', 'kept');
    attach();
    expect(received).toEqual(['kept']);
  });

  it('reports the first drop of a wait once, with a ProtocolError naming the method and the budget', () => {
    const { router, reported, send } = routerWith(100);
    const stopWaiting = router.expect();
    for (let n = 0; n < 10; n++) send('sub-9', 'x'.repeat(60));
    expect(reported).toHaveLength(1);
    expect(reported[0]).toBeInstanceOf(ProtocolError);
    expect(reported[0]!.message).toBe(
      'Early notifications of ticks dropped: more than 100 bytes (maxEarlyNotificationBytes) or 1000 of them ' +
        'arrived before a subscribe call was answered',
    );
    stopWaiting();
    router.expect();
    send('sub-9', 'x'.repeat(200));
    expect(reported).toHaveLength(2);
  });

  it('starts each wait with an empty budget', () => {
    const { router, received, send, attach } = routerWith(100);
    const stopWaiting = router.expect();
    send('sub-1', 'x'.repeat(50));
    stopWaiting();
    router.expect();
    send('sub-1', 'y'.repeat(50));
    attach();
    expect(received).toEqual(['y'.repeat(50)]);
  });

  it('frees the budget of the notifications it hands over', () => {
    const { router, received, send } = routerWith(100);
    router.expect();
    send('sub-1', 'x'.repeat(50));
    router.attach('sub-1', (params) => received.push((params as { result: unknown }).result));
    send('sub-2', 'y'.repeat(50));
    router.attach('sub-2', (params) => received.push((params as { result: unknown }).result));
    expect(received).toEqual(['x'.repeat(50), 'y'.repeat(50)]);
  });
});
