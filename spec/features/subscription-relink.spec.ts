// A subscription torn down because its link dropped sends no unsubscribe call on the next
// link, even when whoever unsubscribes it reacted to the drop before subscription$ itself.
import { EMPTY, filter, Subject, switchMap, takeUntil } from 'rxjs';
import { reconnecting, subscription$, type Peer } from 'rx-jsonrpc';
import { closeAll, peerWithRawServer } from '../helpers/memory-peers';
import { observe } from '../helpers/observe';
import { rawEnd, settle } from '../helpers/raw-end';

afterEach(closeAll);

const ticks = { notification: 'ticks', unsubscribe: 'ticks.unsubscribe' };

/** A reconnecting peer whose next attempt waits for `again`, and its subscription answered with 'old'. */
async function subscribedThenDropped(watch: (peer: Peer) => void) {
  const again = new Subject<void>();
  const { peer, raw, link } = await peerWithRawServer({ reconnect: reconnecting({ delay: () => again }) });
  watch(peer);
  const call = (await raw.next()) as { id: number };
  raw.send({ jsonrpc: '2.0', id: call.id, result: 'old' });
  await settle();
  link.drop(1006);
  await settle();
  const reopened = await rawEnd(link.server);
  again.next();
  await settle();
  return reopened.received.map((frame) => JSON.parse(frame as string) as { method: string; params: unknown });
}

describe('subscription$ across a reconnect', () => {
  it('sends no unsubscribe on the new link when an outer switchMap over state$ drops it first', async () => {
    const sent = await subscribedThenDropped((peer) =>
      observe(
        peer.state$.pipe(
          switchMap((state) => (state.status === 'open' ? subscription$(peer, 'ticks.subscribe', [], ticks) : EMPTY)),
        ),
      ),
    );
    expect(sent.map((message) => message.method)).toEqual(['ticks.subscribe']);
  });

  it('sends no unsubscribe on the new link when takeUntil a reconnecting state ends it', async () => {
    const sent = await subscribedThenDropped((peer) =>
      observe(
        subscription$(peer, 'ticks.subscribe', [], ticks).pipe(
          takeUntil(peer.state$.pipe(filter((state) => state.status === 'reconnecting'))),
        ),
      ),
    );
    expect(sent.map((message) => message.method)).not.toContain('ticks.unsubscribe');
  });

  it('still unsubscribes on the link that is open', async () => {
    const { peer, raw } = await peerWithRawServer();
    const values = observe(subscription$(peer, 'ticks.subscribe', [], ticks));
    const call = (await raw.next()) as { id: number };
    raw.send({ jsonrpc: '2.0', id: call.id, result: 'sub-1' });
    await settle();
    values.unsubscribe();
    expect(await raw.next()).toMatchObject({ method: 'ticks.unsubscribe', params: ['sub-1'] });
  });
});
