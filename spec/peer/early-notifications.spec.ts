import { ProtocolError, subscription$, type RpcError } from 'rx-jsonrpc';
import { closeAll, peerWithRawServer } from '../helpers/memory-peers';
import { observe } from '../helpers/observe';
import { settle } from '../helpers/raw-end';

afterEach(closeAll);

describe('maxEarlyNotificationBytes', () => {
  it('bounds the notifications kept before a subscription id is known, and reports the drop on errors$', async () => {
    const { peer, raw } = await peerWithRawServer();
    const reported: RpcError[] = [];
    peer.errors$.subscribe((error) => reported.push(error));
    const values = observe(
      subscription$<{ n: number }>(peer, 'ticks.subscribe', [], {
        notification: 'ticks',
        maxEarlyNotificationBytes: 350,
      }),
    );
    const call = (await raw.next()) as { id: number };
    for (const n of [1, 2, 3]) {
      raw.send({
        jsonrpc: '2.0',
        method: 'ticks',
        params: { subscription: 'sub-1', result: { n, pad: 'x'.repeat(100) } },
      });
    }
    await settle();
    raw.send({ jsonrpc: '2.0', id: call.id, result: 'sub-1' });
    await settle();
    expect(values.values.map((value) => value.n)).toEqual([2, 3]);
    expect(reported).toHaveLength(1);
    expect(reported[0]).toBeInstanceOf(ProtocolError);
  });
});
