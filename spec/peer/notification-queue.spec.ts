// Notifications sent while the link is down wait, in order, in a queue of notificationQueue
// (1000 by default) and go out when the link is back; beyond it the oldest are dropped and reported.
import { Subject } from 'rxjs';
import { closeAll, peerWithRawServer } from '../helpers/memory-peers';
import { observe } from '../helpers/observe';
import { rawEnd, settle } from '../helpers/raw-end';
import { reconnecting } from 'rx-jsonrpc';

afterEach(closeAll);

/** A peer whose link has dropped, reconnecting when `reopen()` is called. */
async function downPeer(notificationQueue?: number) {
  const again = new Subject<void>();
  const { peer, raw, link } = await peerWithRawServer({
    ...(notificationQueue === undefined ? {} : { notificationQueue }),
    reconnect: reconnecting({ delay: () => again }),
  });
  const reported = observe(peer.errors$);
  link.drop(1006);
  await settle();
  const reopen = async () => {
    const reopened = await rawEnd(link.server);
    again.next();
    await settle();
    return reopened;
  };
  return { peer, raw, reported, reopen };
}

describe('notifications sent while the link is down', () => {
  it('wait in order and go out when the link is back', async () => {
    const { peer, reopen } = await downPeer(5);
    peer.notify('note', [1]);
    peer.notify('note', [2]);
    const reopened = await reopen();
    expect(await reopened.next()).toEqual({ jsonrpc: '2.0', method: 'note', params: [1] });
    expect(await reopened.next()).toEqual({ jsonrpc: '2.0', method: 'note', params: [2] });
  });

  it('drop the oldest beyond notificationQueue, and say so', async () => {
    const { peer, reported, reopen } = await downPeer(2);
    for (const n of [1, 2, 3]) peer.notify('note', [n]);
    expect(reported.values.map((e) => [e.name, e.message])).toEqual([
      ['TransportError', 'A queued notification was dropped: more than 2 wait'],
    ]);
    const reopened = await reopen();
    expect(await reopened.next()).toEqual({ jsonrpc: '2.0', method: 'note', params: [2] });
    expect(await reopened.next()).toEqual({ jsonrpc: '2.0', method: 'note', params: [3] });
    await settle();
    expect(reopened.received).toHaveLength(2);
  });

  it('are dropped at once, and reported, with a notificationQueue of 0', async () => {
    const { peer, reported, reopen } = await downPeer(0);
    peer.notify('note', [1]);
    expect(reported.values.map((e) => e.message)).toEqual(['Notification (note) dropped: the link is down']);
    const reopened = await reopen();
    await settle();
    expect(reopened.received).toEqual([]);
  });

  it('queue up to 1000 by default', async () => {
    const { peer, reported } = await downPeer();
    for (let n = 0; n < 1000; n++) peer.notify('note', [n]);
    expect(reported.values).toEqual([]);
    peer.notify('note', [1000]);
    expect(reported.values.map((e) => e.message)).toEqual(['A queued notification was dropped: more than 1000 wait']);
  });
});
