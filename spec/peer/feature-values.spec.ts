// reconnect, heartbeat and batching take values made by reconnecting(), heartbeatCalls() and
// batchingCalls() (0.2.0), so
// that a bundle without them carries none of their code: the plain data that 0.1 took, from
// a JS user with no compiler to tell, is refused by connect() with the fix in the message.
import { filter, firstValueFrom, retry } from 'rxjs';
import {
  batchingCalls,
  connect,
  heartbeatCalls,
  memoryPair,
  reconnecting,
  type Batching,
  type PeerOptions,
  type Reconnect,
} from 'rx-jsonrpc';
import { closeAll, peerWithRawServer } from '../helpers/memory-peers';
import { observe } from '../helpers/observe';
import { settle } from '../helpers/raw-end';

afterEach(closeAll);

/** connect() with options as a JS caller may write them. */
const connectWith = (options: Record<string, unknown>) => () =>
  connect(memoryPair().client, options as PeerOptions).close();

describe('feature values', () => {
  it.each([
    ['true', true],
    ['ReconnectOptions', { maxAttempts: 3 }],
  ])('refuses reconnect: %s, naming reconnecting()', (_, reconnect) => {
    expect(connectWith({ reconnect })).toThrow(
      new TypeError(
        "connect(): reconnect takes reconnecting(...) since 0.2.0: import { reconnecting } from 'rx-jsonrpc'",
      ),
    );
  });

  it('refuses heartbeat: HeartbeatOptions, naming heartbeatCalls()', () => {
    expect(connectWith({ heartbeat: { interval: 1_000 } })).toThrow(
      new TypeError(
        "connect(): heartbeat takes heartbeatCalls(...) since 0.2.0: import { heartbeatCalls } from 'rx-jsonrpc'",
      ),
    );
  });

  it.each([
    ['true', true],
    ['BatchingOptions', { window: 10 }],
  ])('refuses batching: %s, naming batchingCalls()', (_, batching) => {
    expect(connectWith({ batching })).toThrow(
      new TypeError(
        "connect(): batching takes batchingCalls(...) since 0.2.0: import { batchingCalls } from 'rx-jsonrpc'",
      ),
    );
  });

  it('takes false or undefined (the feature off), and the values of reconnecting(), heartbeatCalls() and batchingCalls()', () => {
    expect(connectWith({ reconnect: false, heartbeat: undefined, batching: false })).not.toThrow();
    expect(connectWith({})).not.toThrow();
    expect(
      connectWith({
        reconnect: reconnecting(),
        heartbeat: heartbeatCalls({ interval: 1_000 }),
        batching: batchingCalls({ window: 5 }),
      }),
    ).not.toThrow();
  });

  it('takes a Batching of your own: its schedule decides when the collected calls go, as one frame', async () => {
    // Flushes every second message: a pair of calls per frame, whatever the tick.
    const pairs: Batching = {
      schedule: (flush) => ({ added: (size) => size === 2 && flush(), cancel: () => undefined }),
    };
    const { peer, raw } = await peerWithRawServer({ batching: pairs });
    const answers = [peer.request('a'), peer.request('b'), peer.request('c'), peer.request('d')];
    const first = (await raw.next()) as { method: string }[];
    const second = (await raw.next()) as { method: string }[];
    expect([first.map((m) => m.method), second.map((m) => m.method)]).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    for (const batch of [first, second])
      raw.send(batch.map((m) => ({ jsonrpc: '2.0', id: (m as { id?: number }).id, result: m.method })));
    expect(await Promise.all(answers)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('fails the call whose message a Batching of your own throws on, and does not send it later', async () => {
    const picky: Batching = {
      schedule: (flush) => ({
        added: (size) => {
          if (size === 2) throw new Error('no second message');
          queueMicrotask(flush);
        },
        cancel: () => undefined,
      }),
    };
    const { peer, raw } = await peerWithRawServer({ batching: picky });
    const first = peer.request('a');
    await expect(peer.request('b')).rejects.toThrow('no second message');
    const frame = (await raw.next()) as { id: number; method: string };
    // The lone message goes out plain; the refused one is not in it.
    expect(frame.method).toBe('a');
    raw.send({ jsonrpc: '2.0', id: frame.id, result: 'a' });
    expect(await first).toBe('a');
  });

  it('takes a Reconnect of your own: its operator decides whether the link opens again', async () => {
    const once: Reconnect = {
      retryLinks: (_clock, hooks) => (links$) =>
        links$.pipe(retry({ count: 1, delay: (cause: unknown) => (hooks.retrying(hooks.lost(cause), 1), [0]) })),
    };
    const { peer, link } = await peerWithRawServer({ reconnect: once });
    const states = observe(peer.state$);
    link.drop(1006);
    await firstValueFrom(peer.state$.pipe(filter((state) => state.status === 'open')));
    link.drop(1006);
    await settle();
    expect(states.values.map((s) => s.status)).toEqual(['open', 'reconnecting', 'open', 'closed']);
  });
});
