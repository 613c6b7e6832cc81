// subscription$(): one subscribe call shared by every subscriber, notifications routed by the
// subscription id, the unsubscribe call when the last one leaves, and what errors or ends it.
import { firstValueFrom, Subject } from 'rxjs';
import { ConnectionClosedError, JsonRpcError, reconnecting, subscription$ } from 'rx-jsonrpc';
import { closeAll, peerWithRawServer } from '../helpers/memory-peers';
import { observe } from '../helpers/observe';
import { rawEnd, settle, type RawEnd } from '../helpers/raw-end';

afterEach(closeAll);

const ticks = { notification: 'ticks', unsubscribe: 'ticks.unsubscribe' };
const tick = (subscription: unknown, result: unknown) => ({
  jsonrpc: '2.0',
  method: 'ticks',
  params: { subscription, result },
});

/** Reads the subscribe call the server end received and answers it with `id`. */
async function acceptSubscribe(raw: RawEnd, id: unknown = 'sub-1', expected: unknown = ['BTC']) {
  const call = (await raw.next()) as { id: number; method: string; params: unknown };
  expect(call).toMatchObject({ jsonrpc: '2.0', method: 'ticks.subscribe', params: expected });
  raw.send({ jsonrpc: '2.0', id: call.id, result: id });
  await settle();
  return call;
}

describe('subscription$', () => {
  describe('when two subscribers share it', () => {
    it('sends one subscribe call and routes to both only the notifications carrying its id', async () => {
      const { peer, raw } = await peerWithRawServer();
      const prices = subscription$<number>(peer, 'ticks.subscribe', ['BTC'], ticks);
      const first = observe(prices);
      const second = observe(prices);
      await acceptSubscribe(raw);
      raw.send(tick('sub-2', 'not ours'));
      raw.send(tick('sub-1', 5));
      raw.send({ jsonrpc: '2.0', method: 'other', params: { subscription: 'sub-1', result: 'other method' } });
      raw.send(tick('sub-1', 6));
      await settle();
      expect(first.values).toEqual([5, 6]);
      expect(second.values).toEqual([5, 6]);
      expect(raw.received).toHaveLength(1);
    });

    it('calls unsubscribe with the id only when the last subscriber leaves', async () => {
      const { peer, raw } = await peerWithRawServer();
      const prices = subscription$<number>(peer, 'ticks.subscribe', ['BTC'], ticks);
      const first = observe(prices);
      const second = observe(prices);
      await acceptSubscribe(raw);
      first.unsubscribe();
      await settle();
      expect(raw.received).toHaveLength(1);
      raw.send(tick('sub-1', 7));
      await settle();
      expect(second.values).toEqual([7]);
      second.unsubscribe();
      expect(await raw.next()).toMatchObject({ jsonrpc: '2.0', method: 'ticks.unsubscribe', params: ['sub-1'] });
      raw.send(tick('sub-1', 8));
      await settle();
      expect(second.values).toEqual([7]);
    });
  });

  describe('with its own readers', () => {
    it('reads the id and the value with the functions given, and unsubscribes with its params', async () => {
      const { peer, raw } = await peerWithRawServer();
      const values = observe(
        subscription$<string>(
          peer,
          'ticks.subscribe',
          { symbol: 'BTC' },
          {
            notification: 'ticks',
            unsubscribe: 'ticks.unsubscribe',
            subscriptionId: (params) => (params as [string, string])[0],
            result: (params) => (params as [string, string])[1],
            unsubscribeParams: (id) => ({ subscription: id }),
          },
        ),
      );
      await acceptSubscribe(raw, 42, { symbol: 'BTC' });
      raw.send({ jsonrpc: '2.0', method: 'ticks', params: [41, 'not ours'] });
      raw.send({ jsonrpc: '2.0', method: 'ticks', params: [42, 'ours'] });
      await settle();
      expect(values.values).toEqual(['ours']);
      values.unsubscribe();
      expect(await raw.next()).toMatchObject({ method: 'ticks.unsubscribe', params: { subscription: 42 } });
    });

    it('reads nothing from params that are not an object', async () => {
      const { peer, raw } = await peerWithRawServer();
      const values = observe(subscription$(peer, 'ticks.subscribe', ['BTC'], ticks));
      await acceptSubscribe(raw);
      raw.send({ jsonrpc: '2.0', method: 'ticks', params: ['sub-1', 1] });
      await settle();
      expect(values.values).toEqual([]);
    });
  });

  describe('without an unsubscribe method', () => {
    it('sends nothing when the last subscriber leaves', async () => {
      const { peer, raw } = await peerWithRawServer();
      const values = observe(subscription$(peer, 'ticks.subscribe', ['BTC'], { notification: 'ticks' }));
      await acceptSubscribe(raw);
      values.unsubscribe();
      await settle();
      expect(raw.received).toHaveLength(1);
    });
  });

  describe('when the last subscriber leaves before the answer', () => {
    it('sends no unsubscribe call, as there is no id to name', async () => {
      const { peer, raw } = await peerWithRawServer();
      const values = observe(subscription$(peer, 'ticks.subscribe', ['BTC'], ticks));
      await raw.next();
      values.unsubscribe();
      await settle();
      expect(raw.received).toHaveLength(1);
      expect(peer.pendingCount).toBe(0);
    });
  });

  describe('when the subscribe call fails', () => {
    it('errors with the remote error', async () => {
      const { peer, raw } = await peerWithRawServer();
      const values = observe(subscription$(peer, 'ticks.subscribe', ['BTC'], ticks));
      const call = (await raw.next()) as { id: number };
      raw.send({ jsonrpc: '2.0', id: call.id, error: { code: -32602, message: 'Unknown symbol' } });
      const error = await values.error();
      expect(error).toBeInstanceOf(JsonRpcError);
      expect(error).toMatchObject({
        code: -32602,
        message: `Request ${call.id} (ticks.subscribe) failed: Unknown symbol (-32602)`,
        remoteMessage: 'Unknown symbol',
      });
    });
  });

  describe('when the peer closes', () => {
    it('completes', async () => {
      const { peer, raw } = await peerWithRawServer();
      const values = observe(subscription$(peer, 'ticks.subscribe', ['BTC'], ticks));
      await acceptSubscribe(raw);
      peer.close();
      expect(await values.ended).toEqual({ kind: 'complete' });
    });
  });

  describe('when the link drops and comes back', () => {
    it('subscribes again on the new link, routes the new id, and sends no unsubscribe on the old one', async () => {
      const again = new Subject<void>();
      const { peer, raw, link } = await peerWithRawServer({ reconnect: reconnecting({ delay: () => again }) });
      const values = observe(subscription$<number>(peer, 'ticks.subscribe', ['BTC'], ticks));
      await acceptSubscribe(raw, 'old');
      raw.send(tick('old', 1));
      await settle();
      link.drop(1006);
      await settle();
      expect(values.ending).toBeUndefined();
      const reopened = await rawEnd(link.server);
      again.next();
      await acceptSubscribe(reopened, 'new');
      reopened.send(tick('old', 'old id'));
      reopened.send(tick('new', 2));
      await settle();
      expect(values.values).toEqual([1, 2]);
      values.unsubscribe();
      expect(await reopened.next()).toMatchObject({ method: 'ticks.unsubscribe', params: ['new'] });
      expect(raw.received).toHaveLength(1);
    });
  });

  describe('when the link drops for good', () => {
    it('errors with the error that closed the peer', async () => {
      const { peer, raw, link } = await peerWithRawServer();
      const values = observe(subscription$(peer, 'ticks.subscribe', ['BTC'], ticks));
      await acceptSubscribe(raw);
      link.drop(1006);
      const error = await values.error();
      expect(error).toBeInstanceOf(ConnectionClosedError);
      expect(error).toMatchObject({ code: 1006 });
    });
  });

  describe('when a new subscription follows one that ended', () => {
    it('listens again and routes only the new id', async () => {
      const { peer, raw } = await peerWithRawServer();
      const first = observe(subscription$<number>(peer, 'ticks.subscribe', ['BTC'], ticks));
      await acceptSubscribe(raw);
      first.unsubscribe();
      await raw.next(); // the unsubscribe call
      const second = observe(subscription$<number>(peer, 'ticks.subscribe', ['BTC'], ticks));
      await acceptSubscribe(raw, 'sub-3');
      raw.send(tick('sub-1', 'old id'));
      raw.send(tick('sub-3', 'new id'));
      await settle();
      expect(second.values).toEqual(['new id']);
      expect(await firstValueFrom(peer.state$)).toMatchObject({ status: 'open' });
    });
  });
});
