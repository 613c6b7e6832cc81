// The link's life as the peer sees it, over a memory link and transports that fail on purpose:
// reconnect attempts and their limits in virtual time, failures of the transport and of a write,
// and calls waiting for a concurrency slot when the peer closes. (Written to kill mutants of
// connection.ts and slots.ts; see docs/mutation.md.)
import { map, Subject, throwError, timer, VirtualAction, VirtualTimeScheduler, type Observable } from 'rxjs';
import {
  connect,
  ConnectionClosedError,
  memoryPair,
  TransportError,
  type Connection,
  type PeerState,
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

describe('reconnecting', () => {
  it('counts its attempts in reconnecting states and gives up after maxAttempts, with the last error', async () => {
    const scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);
    const { link, transport, opens } = onceThenDown();
    const peer = connect(transport, { scheduler, reconnect: { delay: () => timer(1_000, scheduler), maxAttempts: 2 } });
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

  it('measures the deadline from the drop, not from the start of the clock', async () => {
    const scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);
    const { link, transport, opens } = onceThenDown();
    const peer = connect(transport, {
      scheduler,
      reconnect: { delay: () => timer(1_000, scheduler), deadline: 5_000 },
    });
    opened.push(peer);
    await rawEnd(link.server);
    await settle();
    // A clock well past the deadline before the drop: 100 s of virtual time.
    scheduler.schedule(() => undefined, 100_000);
    scheduler.maxFrames = 100_000;
    scheduler.flush();
    link.drop(1006);
    await settle();
    scheduler.maxFrames = Infinity;
    scheduler.flush();
    // Attempts 1 s, 2 s ... 6 s after the drop: the one past 5 s gives up.
    expect(opens()).toBe(7);
    expect(scheduler.now()).toBe(106_000);
  });

  it('gives each new link an answer of its own, and counts the links', async () => {
    const again = new Subject<void>();
    const { peer, raw, link } = await peerWithRawServer({ reconnect: { delay: () => again } });
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
});

describe('a transport that fails', () => {
  it('is reported as a TransportError naming the failure, with it as the cause', async () => {
    const boom = new Error('boom');
    const peer = connect({ connect: () => throwError(() => boom) });
    opened.push(peer);
    const states = observe(peer.state$);
    await settle();
    const last = states.values.at(-1) as Extract<PeerState, { status: 'closed' }>;
    expect(last.status).toBe('closed');
    expect(last.error).toBeInstanceOf(TransportError);
    expect(last.error!.message).toBe('The transport failed: boom');
    expect(last.error!.cause).toBe(boom);
  });

  it('closes the peer with the error its frames end with', async () => {
    const link = memoryPair();
    const failure = new Subject<never>();
    const transport: Transport = {
      connect: () => (link.client.connect() as Observable<Connection>).pipe(map((c) => ({ ...c, frames$: failure }))),
    };
    const peer = connect(transport);
    opened.push(peer);
    const states = observe(peer.state$);
    await rawEnd(link.server);
    await settle();
    const error = new TransportError('reset by peer', { retryable: true });
    failure.error(error);
    await settle();
    expect(states.values.at(-1)).toMatchObject({ status: 'closed', error });
  });

  it('fails a call whose frame cannot be written, wrapping what the transport threw', async () => {
    const link = memoryPair();
    const epipe = new Error('EPIPE');
    const transport: Transport = {
      connect: () =>
        (link.client.connect() as Observable<Connection>).pipe(
          map((c) => ({
            ...c,
            send: () => {
              throw epipe;
            },
          })),
        ),
    };
    const peer = connect(transport);
    opened.push(peer);
    await rawEnd(link.server);
    await settle();
    const error = (await observe(peer.request$('m')).error()) as Error;
    expect(error).toBeInstanceOf(TransportError);
    expect(error.message).toMatch(/Could not send a frame: EPIPE/);
    expect(error.cause).toBe(epipe);
  });

  it('passes on as it is an RpcError the transport threw on a write', async () => {
    const link = memoryPair();
    const refused = new TransportError('frame too large', { retryable: false });
    const transport: Transport = {
      connect: () =>
        (link.client.connect() as Observable<Connection>).pipe(
          map((c) => ({
            ...c,
            send: () => {
              throw refused;
            },
          })),
        ),
    };
    const peer = connect(transport);
    opened.push(peer);
    await rawEnd(link.server);
    await settle();
    expect(await observe(peer.request$('m')).error()).toBe(refused);
  });
});

describe('calls waiting for a concurrency slot', () => {
  it('fail with the peer when it closes, and leave nothing behind', async () => {
    const { peer, raw } = await peerWithRawServer({ requestConcurrency: 1 });
    const running = observe(peer.request$('a'));
    const waiting = observe(peer.request$('b'));
    await raw.next();
    peer.close();
    expect(await running.error()).toBeInstanceOf(ConnectionClosedError);
    expect(await waiting.error()).toBeInstanceOf(ConnectionClosedError);
    await settle();
    expect(raw.received).toHaveLength(1);
    expect(peer.pendingCount).toBe(0);
  });

  it('free their slot once, however often they end', async () => {
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
});
