// Answers to calls the caller gave up: dropped quietly once, for the last 1,024 calls given up;
// an answer after that, or to an older call, is reported as one for an unknown id.
import { closeAll, peerWithRawServer } from '../helpers/memory-peers';
import { observe } from '../helpers/observe';
import { settle } from '../helpers/raw-end';

afterEach(closeAll);

describe('late answers to calls given up', () => {
  it('are dropped quietly once, then reported as unknown', async () => {
    const { peer, raw } = await peerWithRawServer();
    const reported = observe(peer.errors$);
    const call = observe(peer.request$('m'));
    const { id } = (await raw.next()) as { id: number };
    call.unsubscribe();
    raw.send({ jsonrpc: '2.0', id, result: 'late' });
    await settle();
    expect(reported.values).toEqual([]);
    raw.send({ jsonrpc: '2.0', id, result: 'later still' });
    await settle();
    expect(reported.values.map((e) => e.message)).toEqual([`Response for unknown id ${id}`]);
  });

  it('are dropped quietly for the last 1024 calls given up; those to older ones are reported as unknown', async () => {
    const { peer, raw } = await peerWithRawServer();
    const reported = observe(peer.errors$);
    const ids: number[] = [];
    for (let n = 0; n < 1025; n++) {
      const call = observe(peer.request$('m', [n]));
      ids.push(((await raw.next()) as { id: number }).id);
      call.unsubscribe();
    }
    raw.send({ jsonrpc: '2.0', id: ids[0], result: 'forgotten' });
    raw.send({ jsonrpc: '2.0', id: ids[1], result: 'remembered' });
    raw.send({ jsonrpc: '2.0', id: ids[1024], result: 'remembered' });
    await settle();
    expect(reported.values.map((e) => e.message)).toEqual([`Response for unknown id ${ids[0]}`]);
    expect(peer.pendingCount).toBe(0);
  });
});
