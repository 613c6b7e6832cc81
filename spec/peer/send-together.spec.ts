// sendTogether(start): what start sends goes out as one array frame, and a start that throws
// leaves nothing held.
import { forkJoin } from 'rxjs';
import { closeAll, peerWithRawServer } from '../helpers/memory-peers';
import { settle } from '../helpers/raw-end';
import { reconnecting } from 'rx-jsonrpc';

afterEach(closeAll);

describe('sendTogether', () => {
  it('sends the calls and notifications start makes as one array frame', async () => {
    const { peer, raw } = await peerWithRawServer();
    await settle();
    peer.sendTogether(() => {
      peer.notify('hello');
      return forkJoin([peer.request$('a'), peer.request$('b')]).subscribe({ error: () => undefined });
    });
    expect(await raw.next()).toEqual([
      { jsonrpc: '2.0', method: 'hello' },
      { jsonrpc: '2.0', id: 1, method: 'a' },
      { jsonrpc: '2.0', id: 2, method: 'b' },
    ]);
  });

  it('rethrows what start throws and holds nothing back: later messages go out on their own', async () => {
    const { peer, raw } = await peerWithRawServer();
    await settle();
    expect(() =>
      peer.sendTogether(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    peer.notify('after');
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', method: 'after' });
  });

  it('holds nothing back when start throws while the link is not open yet', async () => {
    const { peer, raw } = await peerWithRawServer({ reconnect: reconnecting() });
    expect(() =>
      peer.sendTogether(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    peer.notify('after');
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', method: 'after' });
  });
});
