// Automatic batching: the calls and notifications of one tick (or window) go out as one array
// frame; calls taken back before it goes are left out; a frame that fails or is refused fails every
// call in it; what was collected for a link that dropped is never sent on the next one.
import {
  asapScheduler,
  filter,
  firstValueFrom,
  forkJoin,
  map,
  observeOn,
  timer,
  VirtualAction,
  VirtualTimeScheduler,
} from 'rxjs';
import {
  batchingCalls,
  connect,
  reconnecting,
  type Connection,
  generic,
  memoryPair,
  type PeerOptions,
  ProtocolError,
  type Transport,
  TransportError,
} from 'rx-jsonrpc';
import { closeAll, peerPair, peerWithRawServer } from '../helpers/memory-peers';
import { observe } from '../helpers/observe';
import { rawEnd, settle } from '../helpers/raw-end';

afterEach(closeAll);

const opened: { close(): void }[] = [];
afterEach(() => opened.splice(0).forEach((peer) => peer.close()));

type Call = { jsonrpc: '2.0'; id: number; method: string; params?: unknown };

describe('automatic batching', () => {
  async function batching(option: PeerOptions['batching'], options: PeerOptions = {}) {
    return peerWithRawServer({ batching: option, ...options });
  }

  it('sends the calls of one tick as one array frame, with batching: batchingCalls()', async () => {
    const { peer, raw } = await batching(batchingCalls());
    observe(peer.request$('a'));
    peer.notify('n');
    observe(peer.request$('b'));
    const frame = (await raw.next()) as Call[];
    expect(frame.map((m) => m.method)).toEqual(['a', 'n', 'b']);
    observe(peer.request$('c'));
    expect(await raw.next()).toMatchObject({ method: 'c' });
  });

  it('sends each call on its own with batching: false', async () => {
    const { peer, raw } = await batching(false);
    observe(peer.request$('a'));
    observe(peer.request$('b'));
    expect(await raw.next()).toMatchObject({ method: 'a' });
    expect(await raw.next()).toMatchObject({ method: 'b' });
  });

  it('waits the window given, on the peer scheduler', async () => {
    const scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);
    const { peer, raw } = await batching(batchingCalls({ window: 20 }), { scheduler });
    observe(peer.request$('a'));
    await settle();
    observe(peer.request$('b'));
    await settle();
    expect(raw.received).toEqual([]);
    scheduler.flush();
    expect(((await raw.next()) as Call[]).map((m) => m.method)).toEqual(['a', 'b']);
  });

  it('takes back a call unsubscribed before the frame goes, whatever its place, and sends no cancel for it', async () => {
    const { peer, raw } = await batching(batchingCalls(), { dialect: generic() });
    const calls = ['a', 'b', 'c'].map((method) => observe(peer.request$(method)));
    calls[0]!.unsubscribe();
    calls[2]!.unsubscribe();
    expect(await raw.next()).toMatchObject({ method: 'b' });
    await settle();
    expect(raw.received).toHaveLength(1);
    expect(peer.pendingCount).toBe(1);
  });

  it('takes back a call unsubscribed between two others, and sends those two as one frame', async () => {
    const { peer, raw } = await batching(batchingCalls(), {
      cancel: { method: '$/cancelRequest', params: (id) => ({ id }) },
    });
    observe(peer.request$('kept'));
    observe(peer.request$('dropped')).unsubscribe();
    observe(peer.request$('kept too'));
    expect(((await raw.next()) as Call[]).map((m) => m.method)).toEqual(['kept', 'kept too']);
    await settle();
    expect(raw.received).toHaveLength(1);
    expect(peer.pendingCount).toBe(2);
  });

  it('sends nothing when every call collected was taken back', async () => {
    const { peer, raw } = await batching(batchingCalls());
    const calls = ['a', 'b'].map((method) => observe(peer.request$(method)));
    for (const call of calls) call.unsubscribe();
    await settle();
    expect(raw.received).toEqual([]);
  });

  it('sends at maxSize without waiting for the tick', async () => {
    const { peer, raw } = await batching(batchingCalls({ maxSize: 2 }));
    for (const method of ['a', 'b', 'c']) observe(peer.request$(method));
    expect(((await raw.next()) as Call[]).map((m) => m.method)).toEqual(['a', 'b']);
    expect(await raw.next()).toMatchObject({ method: 'c' });
  });

  it('answers through real peers, in one round trip for a forkJoin', async () => {
    const { client, server } = peerPair({ batching: batchingCalls() });
    const frames: unknown[] = [];
    client.trace$.subscribe((e) => e.kind === 'out' && frames.push(e.frame));
    server.handle('double', ([n]: number[]) => n! * 2);
    const results = await firstValueFrom(forkJoin([1, 2, 3].map((n) => client.request$<number>('double', [n]))));
    expect(results).toEqual([2, 4, 6]);
    expect(frames).toHaveLength(1);
  });

  it('answers a batch that holds calls the server leaves out with ProtocolError for those', async () => {
    const { peer, raw } = await batching(batchingCalls());
    const calls = ['a', 'b'].map((method) => observe(peer.request$(method)));
    const frame = (await raw.next()) as Call[];
    raw.send([{ jsonrpc: '2.0', id: frame[0]!.id, result: 'a' }]);
    expect(await calls[1]!.error()).toMatchObject({
      name: 'ProtocolError',
      message: `Request ${frame[1]!.id} (b) got no answer in its batch's answer`,
    });
    expect(calls[0]!.values).toEqual(['a']);
  });

  it('with no window, writes when the tick ends, without waiting for the peer scheduler', async () => {
    const scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);
    const { peer, raw } = await peerWithRawServer({ batching: batchingCalls(), scheduler });
    observe(peer.request$('a'));
    observe(peer.request$('b'));
    await settle();
    expect(raw.received).toHaveLength(1);
    expect(((await raw.next()) as Call[]).map((m) => m.method)).toEqual(['a', 'b']);
  });

  it('gathers the calls made after a frame went out into the next frame, whole', async () => {
    const { peer, raw } = await peerWithRawServer({ batching: batchingCalls() });
    observe(peer.request$('a'));
    queueMicrotask(() => {
      // Runs after the flush of a and b; e is sent in a later microtask, before the flush of c.
      queueMicrotask(() => observe(peer.request$('e')));
      observe(peer.request$('c'));
    });
    observe(peer.request$('b'));
    expect(((await raw.next()) as Call[]).map((m) => m.method)).toEqual(['a', 'b']);
    expect(((await raw.next()) as Call[]).map((m) => m.method)).toEqual(['c', 'e']);
    await settle();
    expect(raw.received).toHaveLength(2);
  });

  it('sends the cancel notification of a call unsubscribed after its batch frame went out', async () => {
    const { peer, raw } = await peerWithRawServer({ batching: batchingCalls(), dialect: generic() });
    const calls = ['a', 'b'].map((method) => observe(peer.request$(method)));
    const frame = (await raw.next()) as Call[];
    expect(frame.map((m) => m.method)).toEqual(['a', 'b']);
    calls[1]!.unsubscribe();
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id: 2 } });
    calls[0]!.unsubscribe();
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id: 1 } });
  });

  it('sends the cancel notification of a lone call unsubscribed after it went out', async () => {
    const { peer, raw } = await peerWithRawServer({ batching: batchingCalls(), dialect: generic() });
    const call = observe(peer.request$('a'));
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', id: 1, method: 'a' });
    call.unsubscribe();
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id: 1 } });
  });
});

/** A peer over a memory link whose connections are changed by `change`. */
async function changedPeer(change: (connection: Connection) => Connection, options: PeerOptions) {
  const link = memoryPair();
  const transport: Transport = {
    connect: () => link.client.connect().pipe(observeOn(asapScheduler), map(change)),
  };
  const peer = connect(transport, options);
  opened.push(peer);
  const raw = await rawEnd(link.server);
  await settle();
  return { peer, raw };
}

describe('a batch frame that fails', () => {
  it('fails each call it carries with the error of the write, restated for the call', async () => {
    const refused = new TransportError('frame too large', { retryable: false });
    const { peer } = await changedPeer(
      (c) => ({
        ...c,
        send: () => {
          throw refused;
        },
      }),
      { batching: batchingCalls() },
    );
    const calls = ['a', 'b'].map((method) => observe(peer.request$(method)));
    expect(await calls[0]!.error()).toMatchObject({ message: 'Request 1 (a) failed: frame too large', cause: refused });
    expect(await calls[1]!.error()).toMatchObject({ message: 'Request 2 (b) failed: frame too large', cause: refused });
    expect(peer.pendingCount).toBe(0);
  });

  it('fails the calls it carries and reports the notifications it carries', async () => {
    const refused = new TransportError('frame too large', { retryable: false });
    const { peer } = await changedPeer(
      (c) => ({
        ...c,
        send: () => {
          throw refused;
        },
      }),
      { batching: batchingCalls() },
    );
    const reported = observe(peer.errors$);
    peer.notify('first');
    const call = observe(peer.request$('a'));
    peer.notify('last');
    await settle();
    expect(call.ending).toMatchObject({
      kind: 'error',
      error: { name: 'TransportError', message: 'Request 1 (a) failed: frame too large', cause: refused },
    });
    // The notifications have nobody to fail: their loss is reported, once each.
    expect(reported.values).toEqual([refused, refused]);
  });

  it('fails each call it carries with the error the transport reports for it later, restated for the call', async () => {
    const lost = new TransportError('exchange aborted', { retryable: true });
    const { peer, raw } = await changedPeer(
      (c) => ({
        ...c,
        send: (frame, ended) => {
          c.send(frame);
          setTimeout(() => ended?.(lost), 0);
        },
      }),
      { batching: batchingCalls() },
    );
    const calls = ['a', 'b'].map((method) => observe(peer.request$(method)));
    expect(((await raw.next()) as Call[]).map((m) => m.method)).toEqual(['a', 'b']);
    expect(await calls[0]!.error()).toMatchObject({
      name: 'TransportError',
      message: 'Request 1 (a) failed: exchange aborted',
      retryable: true,
      method: 'a',
      id: 1,
      cause: lost,
    });
    expect(await calls[1]!.error()).toMatchObject({ message: 'Request 2 (b) failed: exchange aborted', cause: lost });
  });

  it('fails each call still waiting with a ProtocolError when its exchange ends without an answer', async () => {
    const { peer, raw } = await changedPeer(
      (c) => ({
        ...c,
        send: (frame, ended) => {
          c.send(frame);
          setTimeout(() => ended?.(), 0);
        },
      }),
      { batching: batchingCalls() },
    );
    const calls = ['a', 'b'].map((method) => observe(peer.request$(method)));
    expect(((await raw.next()) as Call[]).map((m) => m.method)).toEqual(['a', 'b']);
    const errors = [await calls[0]!.error(), await calls[1]!.error()];
    for (const error of errors) expect(error).toBeInstanceOf(ProtocolError);
    expect(errors.map((error) => (error as Error).message)).toEqual([
      'Request 1 (a) got no answer in the response to it',
      'Request 2 (b) got no answer in the response to it',
    ]);
  });
});

describe('a batch frame refused with one error object without an id', () => {
  it('fails every call it carries with that error', async () => {
    const { peer, raw } = await peerWithRawServer({ timeout: 0, batching: batchingCalls() });
    const calls = [peer.request('a'), peer.request('b')].map((call) => call.catch((e: unknown) => e));
    expect(((await raw.next()) as Call[]).map((m) => m.id)).toEqual([1, 2]);
    raw.send({ jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Batches are not supported' } });
    expect(await Promise.all(calls)).toMatchObject(
      ['a', 'b'].map((method, index) => ({
        name: 'JsonRpcError',
        code: -32600,
        message: `Request ${index + 1} (${method}) failed: Batches are not supported (-32600)`,
      })),
    );
  });
});

describe('automatic batching across a drop', () => {
  it('does not send on the next link what was collected for the dropped one', async () => {
    const link = memoryPair();
    const raw = await rawEnd(link.server);
    const peer = connect(link.client, {
      batching: batchingCalls({ window: 50 }),
      reconnect: reconnecting({ delay: () => timer(5) }),
    });
    opened.push(peer);
    const call = peer.request('collected').catch((e: unknown) => e);
    link.drop(1006);
    expect(await call).toMatchObject({ name: 'ConnectionClosedError', retryable: true });
    const again = await rawEnd(link.server);
    await firstValueFrom(peer.state$.pipe(filter((s) => s.status === 'open')));
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(again.received).toEqual([]);
    expect(raw.received).toEqual([]);
    again.close();
  });
});
