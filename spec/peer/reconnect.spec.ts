// reconnect: the attempts after a drop as state$ shows them, maxAttempts and the deadline in
// virtual time, the defaults, and which failures are worth another attempt (reconnectable).
import { filter, firstValueFrom, Subject, throwError, timer, VirtualAction, VirtualTimeScheduler } from 'rxjs';
import {
  connect,
  ConnectionClosedError,
  memoryPair,
  ProtocolError,
  reconnectable,
  reconnecting,
  TransportError,
  type PeerState,
  type RpcError,
  type Transport,
} from 'rx-jsonrpc';
import { closeAll, peerWithRawServer } from '../helpers/memory-peers';
import { observe } from '../helpers/observe';
import { rawEnd, settle } from '../helpers/raw-end';

afterEach(closeAll);

const opened: { close(): void }[] = [];
afterEach(() => opened.splice(0).forEach((peer) => peer.close()));

/** A transport that opens the memory link once, then fails every later attempt. */
function onceThenDown() {
  const link = memoryPair();
  let opens = 0;
  const transport: Transport = {
    connect: () =>
      opens++ === 0 ? link.client.connect() : throwError(() => new TransportError('down', { retryable: true })),
  };
  return { link, transport, opens: () => opens };
}

describe('reconnect', () => {
  it('counts its attempts in reconnecting states and gives up after maxAttempts, with the last error', async () => {
    const scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);
    const { link, transport, opens } = onceThenDown();
    const peer = connect(transport, {
      scheduler,
      reconnect: reconnecting({ delay: () => timer(1_000, scheduler), maxAttempts: 2 }),
    });
    opened.push(peer);
    const states: PeerState[] = [];
    peer.state$.subscribe((state) => states.push(state));
    await rawEnd(link.server);
    await settle();
    link.drop(1006);
    await settle();
    scheduler.flush();
    expect(states.map((s) => [s.status, 'attempt' in s ? s.attempt : undefined])).toEqual([
      ['open', undefined],
      ['reconnecting', 1],
      ['reconnecting', 2],
      ['closed', undefined],
    ]);
    expect((states[1] as Extract<PeerState, { status: 'reconnecting' }>).error).toBeInstanceOf(ConnectionClosedError);
    expect((states[2] as Extract<PeerState, { status: 'reconnecting' }>).error).toMatchObject({ message: 'down' });
    expect(states[3]).toMatchObject({ status: 'closed', error: { name: 'TransportError', message: 'down' } });
    expect(opens()).toBe(3);
  });

  it('measures the deadline on the peer scheduler, from the drop, not from the start of the clock', async () => {
    const scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);
    const { link, transport, opens } = onceThenDown();
    const peer = connect(transport, {
      scheduler,
      reconnect: reconnecting({ delay: () => timer(1_000, scheduler), deadline: 5_000 }),
    });
    opened.push(peer);
    const states = observe(peer.state$);
    await rawEnd(link.server);
    await settle();
    // A clock well past the deadline before the drop: 100 s of virtual time.
    scheduler.schedule(() => undefined, 100_000);
    scheduler.maxFrames = 100_000;
    scheduler.flush();
    link.drop(1006);
    await settle();
    // Bounded: were the deadline read from the wall clock, attempts would go on until maxFrames.
    scheduler.maxFrames = 200_000;
    scheduler.flush();
    // Attempts 1 s, 2 s ... 6 s after the drop: the one past 5 s gives up.
    expect(opens()).toBe(7);
    expect(scheduler.now()).toBe(106_000);
    expect(states.values.at(-1)).toMatchObject({ status: 'closed', error: { name: 'TransportError' } });
  });

  it('sends the calls made once the new link is open on that link, and goes open again', async () => {
    const again = new Subject<void>();
    const { peer, raw, link } = await peerWithRawServer({ reconnect: reconnecting({ delay: () => again }) });
    const states = observe(peer.state$);
    link.drop(1006);
    await settle();
    const reopened = await rawEnd(link.server);
    again.next();
    await settle();
    const call = peer.request('m');
    const sent = (await reopened.next()) as { id: number };
    reopened.send({ jsonrpc: '2.0', id: sent.id, result: 'on the second link' });
    await expect(call).resolves.toBe('on the second link');
    expect(states.values.map((s) => s.status)).toEqual(['open', 'reconnecting', 'open']);
    expect(raw.received).toEqual([]);
  });

  describe('options', () => {
    it('closes the peer for good after a drop with reconnect: false', async () => {
      const { peer, link } = await peerWithRawServer({ reconnect: false });
      const states = observe(peer.state$);
      link.drop(1006);
      await settle();
      expect(states.values.map((s) => s.status)).toEqual(['open', 'closed']);
      expect(states.values.at(-1)).toMatchObject({ error: { name: 'ConnectionClosedError', code: 1006 } });
    });

    it('with reconnect: reconnecting(), reconnects after a drop, after the default backoff', async () => {
      const { peer, link } = await peerWithRawServer({ reconnect: reconnecting() });
      const states = observe(peer.state$);
      link.drop(1006);
      await settle();
      expect(states.values.at(-1)).toMatchObject({ status: 'reconnecting', attempt: 1 });
      await firstValueFrom(peer.state$.pipe(filter((state) => state.status === 'open')));
      expect(states.values.map((s) => s.status)).toEqual(['open', 'reconnecting', 'open']);
    });

    it('with reconnect: reconnecting(), does not come back after a "go away" close', async () => {
      const { peer, link } = await peerWithRawServer({ reconnect: reconnecting() });
      const states = observe(peer.state$);
      link.drop(1008, 'policy violation');
      await settle();
      expect(states.values.map((s) => s.status)).toEqual(['open', 'closed']);
      expect(states.values.at(-1)).toMatchObject({ error: { code: 1008, reason: 'policy violation' } });
    });

    it('keeps trying by default, with no limit on attempts nor on time', async () => {
      // 1,000 s of virtual time: past any limit a default could set here.
      const scheduler = new VirtualTimeScheduler(VirtualAction, 1_000_000);
      const { link, transport, opens } = onceThenDown();
      const peer = connect(transport, { scheduler, reconnect: reconnecting({ delay: () => timer(1_000, scheduler) }) });
      opened.push(peer);
      const states = observe(peer.state$);
      await rawEnd(link.server);
      await settle();
      link.drop(1006);
      await settle();
      scheduler.flush();
      expect(opens()).toBe(1_001);
      expect(states.values.at(-1)).toMatchObject({ status: 'reconnecting', attempt: 1_001 });
    });

    it('asks shouldReconnect, when given, instead of reconnectable', async () => {
      const asked: RpcError[] = [];
      const { peer, link } = await peerWithRawServer({
        reconnect: reconnecting({
          delay: () => timer(0),
          shouldReconnect: (error) => {
            asked.push(error);
            return false;
          },
        }),
      });
      const states = observe(peer.state$);
      link.drop(1006);
      await settle();
      expect(asked).toEqual([expect.any(ConnectionClosedError)]);
      expect(states.values.map((s) => s.status)).toEqual(['open', 'closed']);
    });
  });
});

describe('reconnectable', () => {
  it('reconnects after a drop, but not after the codes that mean "go away"', () => {
    const closed = (code: number) => new ConnectionClosedError('closed', { code });
    expect([1000, 1001, 1006, 1011, 1012].map((code) => reconnectable(closed(code)))).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect([1002, 1003, 1007, 1008].map((code) => reconnectable(closed(code)))).toEqual([false, false, false, false]);
  });

  it('reads a refused handshake by its HTTP status: server errors, 408 and 429 are worth a retry', () => {
    const refused = (status: number) => new TransportError('refused', { status, retryable: true });
    const statuses = [301, 399, 400, 401, 403, 404, 408, 429, 499, 500, 503];
    expect(statuses.map((status) => [status, reconnectable(refused(status))])).toEqual([
      [301, true],
      [399, true],
      [400, false],
      [401, false],
      [403, false],
      [404, false],
      [408, true],
      [429, true],
      [499, false],
      [500, true],
      [503, true],
    ]);
  });

  it('gives up on a transport error that is not retryable, and retries other failures', () => {
    expect(reconnectable(new TransportError('bad url', { retryable: false }))).toBe(false);
    expect(reconnectable(new TransportError('down', { retryable: true }))).toBe(true);
    expect(reconnectable(new ProtocolError('odd'))).toBe(true);
  });
});
