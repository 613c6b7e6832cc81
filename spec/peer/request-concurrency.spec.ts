// requestConcurrency: no more calls in flight at once than the limit, the others waiting their
// turn in order until the peer closes; and Slots, the part that keeps the count, as a unit.
import { ConnectionClosedError } from 'rx-jsonrpc';
import { Slots } from '../../lib/peer/caller/slots';
import { closeAll, peerWithRawServer } from '../helpers/memory-peers';
import { observe } from '../helpers/observe';
import { settle } from '../helpers/raw-end';

afterEach(closeAll);

type Call = { jsonrpc: '2.0'; id: number; method: string; params?: unknown };

describe('requestConcurrency', () => {
  it('sends no more calls at once than the limit, the next one when one ends', async () => {
    const { peer, raw } = await peerWithRawServer({ requestConcurrency: 2 });
    const calls = [1, 2, 3, 4].map((n) => observe(peer.request$('m', [n])));
    const first = (await raw.next()) as Call;
    const second = (await raw.next()) as Call;
    await settle();
    expect(raw.received).toHaveLength(2);
    raw.send({ jsonrpc: '2.0', id: first.id, result: 'one' });
    const third = (await raw.next()) as Call;
    expect(third.params).toEqual([3]);
    // A call left before it was sent frees nothing and is never sent.
    calls[3]!.unsubscribe();
    raw.send({ jsonrpc: '2.0', id: second.id, result: 'two' });
    await settle();
    expect(raw.received).toHaveLength(3);
    calls[2]!.unsubscribe();
    await settle();
    expect(raw.received).toHaveLength(3);
    expect(peer.pendingCount).toBe(0);
  });

  it('frees the slot of a call once, however often it ends', async () => {
    const { peer, raw } = await peerWithRawServer({ requestConcurrency: 1 });
    const first = observe(peer.request$('a'));
    const sent = (await raw.next()) as { id: number };
    const second = observe(peer.request$('b'));
    const third = observe(peer.request$('c'));
    raw.send({ jsonrpc: '2.0', id: sent.id, result: 1 });
    await first.ended;
    first.unsubscribe();
    expect(await raw.next()).toMatchObject({ method: 'b' });
    await settle();
    expect(raw.received).toHaveLength(2);
    second.unsubscribe();
    second.unsubscribe();
    expect(await raw.next()).toMatchObject({ method: 'c' });
    third.unsubscribe();
  });

  describe('when the peer closes', () => {
    it('fails the running call, and the waiting ones as never sent, and leaves nothing behind', async () => {
      const { peer, raw } = await peerWithRawServer({ requestConcurrency: 1 });
      const running = observe(peer.request$('a'));
      const waiting = observe(peer.request$('b'));
      await raw.next();
      peer.close();
      expect(await running.error()).toBeInstanceOf(ConnectionClosedError);
      const error = await waiting.error();
      expect(error).toBeInstanceOf(ConnectionClosedError);
      expect((error as Error).message).toBe('Request 2 (b) not sent: the peer is closed');
      await settle();
      expect(raw.received).toHaveLength(1);
      expect(peer.pendingCount).toBe(0);
    });

    it('fails the waiting calls even with no call in flight to free a slot', async () => {
      const { peer, raw } = await peerWithRawServer({ requestConcurrency: 0 });
      const calls = ['a', 'b'].map((method) => observe(peer.request$(method)));
      await settle();
      expect(raw.received).toEqual([]);
      await peer.close();
      for (const call of calls) expect(call.ending).toMatchObject({ kind: 'error' });
      expect(await calls[0]!.error()).toBeInstanceOf(ConnectionClosedError);
      expect(((await calls[1]!.error()) as Error).message).toBe('Request 2 (b) not sent: the peer is closed');
    });
  });
});

describe('Slots', () => {
  it('gives a slot back once, however often the call that took it ends', () => {
    const slots = new Slots(1);
    const started: string[] = [];
    const releaseA = slots.acquire(() => started.push('a'));
    slots.acquire(() => started.push('b'));
    slots.acquire(() => started.push('c'));
    expect(started).toEqual(['a']);
    releaseA();
    expect(started).toEqual(['a', 'b']);
    releaseA();
    expect(started).toEqual(['a', 'b']);
  });

  it('leaves the queue once, however often a call that never started ends', () => {
    const slots = new Slots(1);
    const started: string[] = [];
    const releaseA = slots.acquire(() => started.push('a'));
    const releaseB = slots.acquire(() => started.push('b'));
    slots.acquire(() => started.push('c'));
    releaseB();
    releaseB();
    expect(started).toEqual(['a']);
    releaseA();
    expect(started).toEqual(['a', 'c']);
  });

  it('starts every waiting call at once on releaseAll, whatever the limit', () => {
    const slots = new Slots(1);
    const started: string[] = [];
    slots.acquire(() => started.push('a'));
    slots.acquire(() => started.push('b'));
    slots.acquire(() => started.push('c'));
    slots.releaseAll();
    expect(started).toEqual(['a', 'b', 'c']);
  });
});
