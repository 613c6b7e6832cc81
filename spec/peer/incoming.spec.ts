// incoming$: every message the peer receives, classified once, before the peer acts on it;
// what the peer does with each message does not change for being watched.
import { firstValueFrom } from 'rxjs';
import type { IncomingMessage } from 'rx-jsonrpc';
import { closeAll, peerWithRawServer } from '../helpers/memory-peers';
import { observe } from '../helpers/observe';
import { settle } from '../helpers/raw-end';

afterEach(closeAll);

describe('incoming$', () => {
  it('emits each message with its kind, a batch member by member, in the order they arrive', async () => {
    const { peer, raw } = await peerWithRawServer();
    const seen = observe(peer.incoming$);
    const answer = peer.request('sum', [1, 2]);
    const call = (await raw.next()) as { id: number };
    raw.send({ jsonrpc: '2.0', method: 'tick', params: [1] });
    raw.send({ jsonrpc: '2.0', id: call.id, result: 3 });
    raw.send([
      { jsonrpc: '2.0', method: 'tock' },
      { jsonrpc: '2.0', id: 'x', method: 'ask' },
    ]);
    raw.send({ event: 'volume' });
    expect(await answer).toBe(3);
    await settle();
    expect(seen.values.map(({ kind, inBatch }) => [kind, inBatch])).toEqual([
      ['notification', false],
      ['response', false],
      ['notification', true],
      ['request', true],
      ['invalid', false],
    ]);
    expect(seen.values[1]).toMatchObject({ message: { jsonrpc: '2.0', id: call.id, result: 3 } });
    expect(seen.values[4]).toMatchObject({ message: { event: 'volume' } });
  });

  it('emits a response before the call it answers settles', async () => {
    const { peer, raw } = await peerWithRawServer();
    const order: string[] = [];
    peer.incoming$.subscribe((message: IncomingMessage) => order.push(message.kind));
    const answer = firstValueFrom(peer.request$('sum', [1, 2])).then(() => order.push('settled'));
    const call = (await raw.next()) as { id: number };
    raw.send({ jsonrpc: '2.0', id: call.id, result: 3 });
    await answer;
    expect(order).toEqual(['response', 'settled']);
  });

  it('changes nothing the peer does: requests are still answered, notifications still delivered', async () => {
    const { peer, raw } = await peerWithRawServer();
    observe(peer.incoming$);
    const ticks = observe(peer.notifications$('tick'));
    raw.send({ jsonrpc: '2.0', id: 7, method: 'nobody.serves.this' });
    raw.send({ jsonrpc: '2.0', method: 'tick', params: [1] });
    expect(await raw.next()).toMatchObject({ id: 7, error: { code: -32601 } });
    expect(await ticks.next()).toEqual([1]);
  });

  it('carries no frame that is not JSON (those go to errors$) and completes when the peer closes', async () => {
    const { peer, raw } = await peerWithRawServer();
    const seen = observe(peer.incoming$);
    const errors = observe(peer.errors$);
    raw.send('{not json');
    await errors.next();
    expect(seen.values).toEqual([]);
    await peer.close();
    expect(seen.ending).toEqual({ kind: 'complete' });
  });
});
