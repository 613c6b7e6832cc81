import { createServer, type Server, type Socket } from 'node:net';
import {
  EMPTY,
  firstValueFrom,
  NEVER,
  Observable,
  of,
  throwError,
  timer,
  VirtualAction,
  VirtualTimeScheduler,
} from 'rxjs';
import {
  ConnectionClosedError,
  connect,
  heartbeatCalls,
  reconnecting,
  TransportError,
  type Connection,
  type HeartbeatOptions,
  type PeerState,
  type Transport,
} from 'rx-jsonrpc';
import { webSocket } from 'rx-jsonrpc/node';
import { closeAll, peerWithRawServer } from '../helpers/memory-peers';
import { settle } from '../helpers/raw-end';

afterEach(closeAll);

/** Records the states of a peer. */
function statesOf(peer: { state$: Observable<PeerState> }): PeerState[] {
  const states: PeerState[] = [];
  peer.state$.subscribe((state) => states.push(state));
  return states;
}

describe('connectTimeout', () => {
  let server: Server;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    // Accepts TCP connections and never answers the WebSocket handshake.
    server = createServer((socket) => {
      // Read (and drop) what comes, so that the client's close is seen.
      socket.resume();
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  const url = () => `ws://127.0.0.1:${(server.address() as { port: number }).port}`;

  it('fails a handshake that is never answered, and closes the peer', async () => {
    const peer = connect(webSocket(url(), { heartbeat: false }), { connectTimeout: 200 });
    const call = peer.request('ping').catch((error: unknown) => error);
    expect(await call).toMatchObject({ name: 'TransportError' });
    const states = statesOf(peer);
    expect(states.at(-1)?.status).toBe('closed');
    const error = (states.at(-1) as { error?: TransportError }).error;
    expect(error).toBeInstanceOf(TransportError);
    expect(error?.message).toBe('Could not connect: the transport did not open a link within 200 ms');
    expect(error?.retryable).toBe(true);
    // The half-open socket was given up.
    for (let waited = 0; sockets.size > 0 && waited < 2_000; waited += 20) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(sockets.size).toBe(0);
  });

  it('feeds reconnect: each stalled attempt fails and the next one follows', async () => {
    const peer = connect(webSocket(url(), { heartbeat: false }), {
      connectTimeout: 100,
      reconnect: reconnecting({ delay: () => timer(10) }),
    });
    const states = statesOf(peer);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const attempts = states.flatMap((state) => (state.status === 'reconnecting' ? [state.attempt] : []));
    expect(attempts.slice(0, 2)).toEqual([1, 2]);
    await peer.close();
  });
});

describe('the reconnect backoff', () => {
  /** A transport whose links open at once, then drop after `lifetime()` virtual ms. */
  function flapping(scheduler: VirtualTimeScheduler, lifetime: () => number): Transport {
    const connection: Connection = {
      info: { transport: 'flapping' },
      frames$: NEVER,
      send: () => undefined,
      close: () => undefined,
    };
    return {
      connect: () =>
        new Observable<Connection>((subscriber) => {
          subscriber.next(connection);
          const drop = scheduler.schedule(
            () => subscriber.error(new ConnectionClosedError('dropped', { code: 1006 })),
            lifetime(),
          );
          return () => drop.unsubscribe();
        }),
    };
  }

  it('keeps growing against a server that accepts and drops at once', async () => {
    const scheduler = new VirtualTimeScheduler(VirtualAction, 10_000);
    const peer = connect(
      flapping(scheduler, () => 10),
      {
        scheduler,
        reconnect: reconnecting({ delay: () => timer(100, scheduler), maxAttempts: 5 }),
      },
    );
    const states = statesOf(peer);
    await settle();
    scheduler.flush();
    const attempts = states.flatMap((state) => (state.status === 'reconnecting' ? [state.attempt] : []));
    expect(attempts).toEqual([1, 2, 3, 4, 5]);
    expect(states.at(-1)?.status).toBe('closed');
  });

  it('starts again from attempt 1 after a link that stayed open for resetAfter', async () => {
    const scheduler = new VirtualTimeScheduler(VirtualAction, 100_000);
    const lifetimes = [10, 10, 6_000, 10];
    const peer = connect(
      flapping(scheduler, () => lifetimes.shift() ?? 10),
      {
        scheduler,
        reconnect: reconnecting({ delay: () => timer(100, scheduler), maxAttempts: 3, resetAfter: 5_000 }),
      },
    );
    const states = statesOf(peer);
    await settle();
    scheduler.flush();
    const attempts = states.flatMap((state) => (state.status === 'reconnecting' ? [state.attempt] : []));
    expect(attempts).toEqual([1, 2, 1, 2, 3]);
  });
});

describe('a transport whose connect() completes', () => {
  it('has ended its link: the peer closes with a ConnectionClosedError instead of staying open', async () => {
    const { link } = await peerWithRawServer();
    const connection = await new Promise<Connection>((resolve) => link.client.connect().subscribe(resolve));
    const peer = connect({ connect: () => of({ ...connection, frames$: EMPTY }) });
    const states = statesOf(peer);
    await settle();
    expect(states.map((state) => state.status)).toEqual(['closed']);
    const error = (states.at(-1) as { error?: ConnectionClosedError }).error;
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect(error?.message).toBe('The transport ended the link (its connect() completed)');
  });

  it('without ever opening a link: the attempt fails with a TransportError', async () => {
    const peer = connect({ connect: () => EMPTY });
    const states = statesOf(peer);
    await settle();
    const last = states.at(-1) as { status: string; error?: TransportError };
    expect(last.status).toBe('closed');
    expect(last.error?.message).toBe('Could not connect: the transport completed without opening a link');
  });

  it('is reconnected where the peer reconnects', async () => {
    let opens = 0;
    const peer = connect(
      { connect: () => (opens++ < 2 ? EMPTY : throwError(() => new TransportError('down', { retryable: false }))) },
      { reconnect: reconnecting({ delay: () => timer(1) }) },
    );
    const states = statesOf(peer);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(opens).toBe(3);
    expect(states.at(-1)?.status).toBe('closed');
  });
});

type Call = { jsonrpc: '2.0'; id: number; method: string; params?: unknown };

describe('the heartbeat', () => {
  async function watched(heartbeat: HeartbeatOptions) {
    const scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);
    const { peer, raw } = await peerWithRawServer({ scheduler, heartbeat: heartbeatCalls(heartbeat) });
    const states: PeerState[] = [];
    peer.state$.subscribe((state) => states.push(state));
    // Virtual time moves only with the actions it runs: a no-op at `ms` brings the clock there.
    const advance = async (ms: number) => {
      scheduler.schedule(() => undefined, ms - scheduler.now());
      scheduler.maxFrames = ms;
      scheduler.flush();
      await settle();
    };
    return { peer, raw, states, advance };
  }

  it('calls ping every interval', async () => {
    const { raw, advance } = await watched({ interval: 100 });
    await advance(99);
    expect(raw.received).toEqual([]);
    await advance(100);
    const ping = (await raw.next()) as Call;
    expect(ping).toMatchObject({ jsonrpc: '2.0', method: 'ping' });
    expect(ping.params).toBeUndefined();
    raw.send({ jsonrpc: '2.0', id: ping.id, result: 'pong' });
    await settle();
    await advance(200);
    expect(await raw.next()).toMatchObject({ method: 'ping' });
  });

  it('calls the method given, with its params', async () => {
    const { raw, advance } = await watched({ interval: 100, method: 'health', params: ['deep'] });
    await advance(100);
    expect(await raw.next()).toMatchObject({ method: 'health', params: ['deep'] });
  });

  it('sees no answer within the timeout as a dropped link', async () => {
    const { states, advance, raw } = await watched({ interval: 100, timeout: 30 });
    await advance(100);
    await raw.next();
    await advance(129);
    expect(states.at(-1)?.status).toBe('open');
    await advance(131);
    const closed = states.at(-1) as Extract<PeerState, { status: 'closed' }>;
    expect(closed.status).toBe('closed');
    expect(closed.error).toBeInstanceOf(ConnectionClosedError);
    expect(closed.error).toMatchObject({
      message: 'No answer to the heartbeat within 30 ms',
      code: 1006,
      reason: 'heartbeat timeout',
    });
  });

  it('waits one interval for the answer when no timeout is given', async () => {
    const { states, advance, raw } = await watched({ interval: 100 });
    await advance(100);
    await raw.next();
    await advance(199);
    expect(states.at(-1)?.status).toBe('open');
    await advance(201);
    expect(states.at(-1)).toMatchObject({
      status: 'closed',
      error: { message: 'No answer to the heartbeat within 100 ms' },
    });
  });

  it('does not wait for a concurrency slot held by slow calls', async () => {
    // Heartbeats every 20 virtual ms, each given 500 ms, beside a call that holds the only slot.
    const scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);
    const { peer, raw } = await peerWithRawServer({
      scheduler,
      requestConcurrency: 1,
      heartbeat: heartbeatCalls({ interval: 20, timeout: 500 }),
    });
    peer.request$('slow').subscribe({ error: () => undefined });
    expect(await raw.next()).toMatchObject({ method: 'slow' });
    for (let beat = 1; beat <= 35; beat++) {
      scheduler.schedule(() => undefined, beat * 20 - scheduler.now());
      scheduler.maxFrames = beat * 20;
      scheduler.flush();
      await settle();
      // Each heartbeat goes out on time, though the slot is taken, and is answered at once.
      expect(raw.received).toHaveLength(1 + beat);
      const ping = JSON.parse(raw.received[beat] as string) as Call;
      expect(ping).toMatchObject({ method: 'ping' });
      raw.send({ jsonrpc: '2.0', id: ping.id, result: 'pong' });
      await settle();
    }
    expect((await firstValueFrom(peer.state$)).status).toBe('open');
    expect(raw.received).toHaveLength(1 + 35);
  });

  it('takes an error answer as a sign of life', async () => {
    const { states, advance, raw } = await watched({ interval: 100, timeout: 30 });
    await advance(100);
    const ping = (await raw.next()) as Call;
    raw.send({ jsonrpc: '2.0', id: ping.id, error: { code: -32601, message: 'Method not found' } });
    await settle();
    await advance(180);
    expect(states.at(-1)?.status).toBe('open');
  });
});
