import {
  filter,
  firstValueFrom,
  interval,
  map,
  Observable,
  retry,
  Subject,
  take,
  throwError,
  timer,
  toArray,
} from 'rxjs';
import {
  connect,
  ConnectionClosedError,
  heartbeatCalls,
  isRetryable,
  reconnecting,
  type Peer,
  type PeerOptions,
  type PeerState,
  subscription$,
  subscriptionHandler,
  TransportError,
} from 'rx-jsonrpc';
import { webSocket } from 'rx-jsonrpc/node';
import { killAllServers, restartableServer, type RestartableServer } from '../helpers/restartable-server';

const clients: Peer[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await killAllServers();
});

function client(server: RestartableServer, options: PeerOptions = {}): Peer {
  const peer = connect(webSocket(server.url, { heartbeat: false }), {
    reconnect: reconnecting({ delay: () => timer(10) }),
    ...options,
  });
  clients.push(peer);
  return peer;
}

/** A `retry({ delay })` that retries link failures at once and gives up on anything else. */
const retryIfRetryable = (error: unknown) => (isRetryable(error) ? timer(0) : throwError(() => error));

const status = (peer: Peer, wanted: PeerState['status']) =>
  firstValueFrom(peer.state$.pipe(filter((s) => s.status === wanted)));

describe('reconnect', () => {
  it('goes connecting → open → reconnecting → open → closed, exactly', async () => {
    const server = await restartableServer((peer) => peer.handle('ping', () => 'pong'));
    const serverBack = new Subject<void>();
    const peer = client(server, { reconnect: reconnecting({ delay: () => serverBack }) });
    const states = firstValueFrom(peer.state$.pipe(toArray()));
    await status(peer, 'open');
    await server.kill();
    await status(peer, 'reconnecting');
    await server.start();
    serverBack.next();
    await status(peer, 'open');
    await expect(peer.request('ping')).resolves.toBe('pong');
    peer.close();
    const seen = await states;
    expect(seen.map((s) => s.status)).toEqual(['connecting', 'open', 'reconnecting', 'open', 'closed']);
    expect(seen[2]).toMatchObject({
      status: 'reconnecting',
      attempt: 1,
      error: { name: 'ConnectionClosedError', code: 1006 },
    });
  });

  it('counts the attempts while the server stays down', async () => {
    const server = await restartableServer(() => undefined);
    const peer = client(server);
    await status(peer, 'open');
    await server.kill();
    const attempts = await firstValueFrom(
      peer.state$.pipe(
        filter((s): s is Extract<PeerState, { status: 'reconnecting' }> => s.status === 'reconnecting'),
        take(3),
        toArray(),
      ),
    );
    expect(attempts.map((s) => s.attempt)).toEqual([1, 2, 3]);
    expect(attempts[1]!.error).toBeInstanceOf(TransportError);
  });

  it('fails calls in flight at once with a retryable ConnectionClosedError', async () => {
    const server = await restartableServer((peer) => peer.handle('hang', () => new Promise(() => undefined)));
    const peer = client(server);
    const call = peer.request('hang').catch((e: unknown) => e);
    await firstValueFrom(peer.trace$.pipe(filter((e) => e.kind === 'out')));
    const started = Date.now();
    await server.kill();
    const error = await call;
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect(error).toMatchObject({
      message:
        'Request 1 (hang) failed: connection closed (1006): no close frame: the network dropped or the other side died',
      code: 1006,
    });
    expect(isRetryable(error)).toBe(true);
    expect(peer.pendingCount).toBe(0);
  });

  it('lets retry() send a dropped call again on the new link', async () => {
    let calls = 0;
    let received!: () => void;
    const firstCallArrived = new Promise<void>((resolve) => (received = resolve));
    const server = await restartableServer((peer) =>
      peer.handle('work', () => {
        received();
        return ++calls === 1 ? new Promise(() => undefined) : `done on start ${server.starts}`;
      }),
    );
    const peer = client(server);
    const result = firstValueFrom(peer.request$('work').pipe(retry({ count: 3, delay: retryIfRetryable })));
    await firstCallArrived;
    await server.kill();
    await server.start();
    await expect(result).resolves.toBe('done on start 2');
    expect(calls).toBe(2);
  });

  it('holds calls made while reconnecting and sends them, in order, on the new link', async () => {
    const seen: string[] = [];
    const server = await restartableServer((peer) => peer.handle('step', ([n]: [string]) => seen.push(n)));
    const serverBack = new Subject<void>();
    const peer = client(server, { reconnect: reconnecting({ delay: () => serverBack }) });
    await status(peer, 'open');
    await server.kill();
    await status(peer, 'reconnecting');
    const calls = [peer.request('step', ['a']), peer.request('step', ['b'])];
    peer.notify('step', ['c']);
    calls.push(peer.request('step', ['d']));
    await server.start();
    serverBack.next();
    await Promise.all(calls);
    expect(seen).toEqual(['a', 'b', 'c', 'd']);
  });

  it('bounds a call waiting for the link by its timeout, and never sends it after', async () => {
    const seen: string[] = [];
    const server = await restartableServer((peer) => peer.handle('step', ([n]: [string]) => seen.push(n)));
    const serverBack = new Subject<void>();
    const peer = client(server, { reconnect: reconnecting({ delay: () => serverBack }) });
    await status(peer, 'open');
    await server.kill();
    await status(peer, 'reconnecting');
    await expect(peer.request('step', ['late'], { timeout: 20 })).rejects.toMatchObject({
      name: 'RequestTimeoutError',
    });
    await server.start();
    serverBack.next();
    await peer.request('step', ['after']);
    expect(seen).toEqual(['after']);
  });

  it('gives up after maxAttempts, closing with the last error', async () => {
    const server = await restartableServer(() => undefined);
    const peer = client(server, { reconnect: reconnecting({ delay: () => timer(5), maxAttempts: 2 }) });
    await status(peer, 'open');
    await server.kill();
    const closed = (await status(peer, 'closed')) as Extract<PeerState, { status: 'closed' }>;
    expect(closed.error).toBeInstanceOf(TransportError);
    await expect(peer.request('x')).rejects.toThrow('Request (x) not sent: the peer is closed');
  });

  it('gives up once its deadline after the drop has passed, not before', async () => {
    const server = await restartableServer(() => undefined);
    const peer = client(server, { reconnect: reconnecting({ delay: () => timer(10), deadline: 150 }) });
    await status(peer, 'open');
    const attempts: number[] = [];
    peer.state$.subscribe((state) => state.status === 'reconnecting' && attempts.push(state.attempt));
    const droppedAt = Date.now();
    await server.kill();
    const closed = (await status(peer, 'closed')) as Extract<PeerState, { status: 'closed' }>;
    expect(Date.now() - droppedAt).toBeGreaterThanOrEqual(140);
    expect(closed.error).toBeInstanceOf(TransportError);
    // It kept trying until then: many attempts, not the one maxAttempts would allow.
    expect(attempts.length).toBeGreaterThan(3);
  });

  it('does not come back after a "go away" close (1008)', async () => {
    const server = await restartableServer((peer) =>
      peer.handle('leave', () => void setTimeout(() => peer.close({ code: 1008, reason: 'banned' }), 5)),
    );
    const peer = client(server);
    await peer.request('leave');
    const closed = (await status(peer, 'closed')) as Extract<PeerState, { status: 'closed' }>;
    expect(closed.error).toMatchObject({ code: 1008, reason: 'banned' });
  });

  it('does not come back when the handshake is refused with 401', async () => {
    let open = true;
    const server = await restartableServer(() => undefined, { authenticate: () => open });
    const peer = client(server);
    await status(peer, 'open');
    open = false;
    await server.kill();
    await server.start();
    const closed = (await status(peer, 'closed')) as Extract<PeerState, { status: 'closed' }>;
    expect(closed.error).toBeInstanceOf(TransportError);
    expect(closed.error).toMatchObject({ status: 401 });
  });

  it('stops trying when closed while reconnecting', async () => {
    const server = await restartableServer(() => undefined);
    const peer = client(server, { reconnect: reconnecting({ delay: () => timer(60_000) }) });
    await status(peer, 'open');
    await server.kill();
    await status(peer, 'reconnecting');
    peer.close();
    expect(await firstValueFrom(peer.state$)).toEqual({ status: 'closed' });
  });

  it('sends notifications queued while down once the link is back', async () => {
    const heard = new Subject<unknown>();
    const server = await restartableServer((peer) =>
      peer.notifications$('note').subscribe((params) => heard.next(params)),
    );
    const serverBack = new Subject<void>();
    const peer = client(server, { reconnect: reconnecting({ delay: () => serverBack }), notificationQueue: 2 });
    await status(peer, 'open');
    await server.kill();
    await status(peer, 'reconnecting');
    const reported = firstValueFrom(peer.errors$);
    for (const n of [1, 2, 3]) peer.notify('note', [n]);
    expect(await reported).toMatchObject({ message: 'A queued notification was dropped: more than 2 wait' });
    const received = firstValueFrom(heard.pipe(take(2), toArray()));
    await server.start();
    serverBack.next();
    expect(await received).toEqual([[2], [3]]);
  });
});

describe('subscription$ across reconnects', () => {
  it('resubscribes on the new server and carries on with the new id', async () => {
    const unsubscribed: unknown[] = [];
    const server = await restartableServer((peer) => {
      peer.handle(
        'ticks.subscribe',
        subscriptionHandler(() => interval(5).pipe(map((n) => `server ${server.starts}: ${n}`)), {
          notification: 'ticks.update',
          unsubscribe: 'ticks.unsubscribe',
        }),
      );
      peer.notifications$().subscribe();
      peer.trace$
        .pipe(filter((e) => e.kind === 'in' && String(e.frame).includes('ticks.unsubscribe')))
        .subscribe((e) => unsubscribed.push(JSON.parse(String((e as { frame: string }).frame)).params));
    });
    const peer = client(server);
    const ticks = subscription$<string>(peer, 'ticks.subscribe', [], {
      notification: 'ticks.update',
      unsubscribe: 'ticks.unsubscribe',
    });
    const values: string[] = [];
    const subscription = ticks.subscribe((value) => values.push(value));
    await firstValueFrom(peer.notifications$('ticks.update'));
    await server.kill();
    await server.start();
    await firstValueFrom(
      peer.notifications$<{ result: string }>('ticks.update').pipe(filter((p) => p.result.startsWith('server 2'))),
    );
    await firstValueFrom(peer.notifications$('ticks.update'));
    subscription.unsubscribe();
    expect(values.some((v) => v.startsWith('server 1: '))).toBe(true);
    expect(values.some((v) => v.startsWith('server 2: '))).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(unsubscribed).toEqual([['1']]);
  });
});

describe('liveness', () => {
  it('sees a server that stops answering pings as a drop, and reconnects', async () => {
    const server = await restartableServer(() => undefined, { heartbeat: false, ws: { autoPong: false } });
    const peer = connect(webSocket(server.url, { heartbeat: { interval: 30, timeout: 30 } }), {
      reconnect: reconnecting({ delay: () => timer(10_000) }),
    });
    clients.push(peer);
    await status(peer, 'open');
    const dropped = (await status(peer, 'reconnecting')) as Extract<PeerState, { status: 'reconnecting' }>;
    expect(dropped.error).toMatchObject({ name: 'ConnectionClosedError', code: 1006 });
  });

  it('sees a server that stops answering heartbeat calls as a drop', async () => {
    let answering = true;
    const server = await restartableServer((peer) =>
      peer.handle('ping', () => (answering ? 'pong' : new Observable(() => undefined))),
    );
    const peer = client(server, {
      heartbeat: heartbeatCalls({ interval: 20, timeout: 30 }),
      reconnect: reconnecting({ delay: () => timer(10_000) }),
    });
    await status(peer, 'open');
    await firstValueFrom(peer.trace$.pipe(filter((e) => e.kind === 'in' && String(e.frame).includes('pong'))));
    answering = false;
    const dropped = (await status(peer, 'reconnecting')) as Extract<PeerState, { status: 'reconnecting' }>;
    expect(dropped.error).toMatchObject({
      name: 'ConnectionClosedError',
      message: 'No answer to the heartbeat within 30 ms',
      reason: 'heartbeat timeout',
    });
  });
});
