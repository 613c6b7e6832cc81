import {
  filter,
  firstValueFrom,
  forkJoin,
  lastValueFrom,
  map,
  Observable,
  switchMap,
  take,
  throwError,
  timer,
  toArray,
  VirtualAction,
  VirtualTimeScheduler,
} from 'rxjs';
import {
  connect,
  ConnectionClosedError,
  isRetryable,
  memoryPair,
  TransportError,
  type PeerState,
  type Transport,
} from 'rx-jsonrpc';
import { closeAll, peerPair, peerWithRawServer } from '../helpers/memory-peers';
import { rawEnd, settle } from '../helpers/raw-end';

afterEach(closeAll);

const ignore = () => undefined;

/** Opens `transport` after `ms`, as a real socket takes a while to. */
const openingLater = (transport: Transport, ms: number): Transport => ({
  connect: () => timer(ms).pipe(switchMap(() => transport.connect())),
});

/** A transport that never manages to open: what a refused handshake looks like to the peer. */
const refusing: Transport = {
  connect: () =>
    new Observable((subscriber) => {
      setTimeout(() => subscriber.error(new TransportError('Could not connect to ws://nowhere: refused')), 5);
    }),
};

describe('connect', () => {
  describe('state$', () => {
    it('goes connecting, open, closed and completes', async () => {
      const link = memoryPair();
      const server = connect(link.server);
      const client = connect(openingLater(link.client, 5));
      const states = lastValueFrom(client.state$.pipe(toArray()));
      await firstValueFrom(client.state$.pipe(filter((s) => s.status === 'open')));
      client.close();
      server.close();
      expect(await states).toEqual([
        { status: 'connecting' },
        { status: 'open', info: { transport: 'memory' } },
        { status: 'closed' },
      ]);
    });

    it('replays the current state to a late subscriber', async () => {
      const { client } = peerPair();
      await settle();
      expect(await firstValueFrom(client.state$)).toEqual({ status: 'open', info: { transport: 'memory' } });
    });

    it('ends in closed carrying the error when the transport cannot open', async () => {
      const peer = connect(refusing);
      const states = await lastValueFrom(peer.state$.pipe(toArray()));
      expect(states.map((s) => s.status)).toEqual(['connecting', 'closed']);
      const last = states[1] as Extract<PeerState, { status: 'closed' }>;
      expect(last.error).toBeInstanceOf(TransportError);
      expect(last.error!.message).toBe('Could not connect to ws://nowhere: refused');
    });
  });

  describe('calls made before the link opens', () => {
    it('fail with the transport error, named after the call, when the link never opens', async () => {
      const peer = connect(refusing);
      const error = await peer.request('math.sum', [1, 2]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransportError);
      expect((error as Error).message).toBe('Request 1 (math.sum) failed: Could not connect to ws://nowhere: refused');
      expect((error as Error).cause).toBeInstanceOf(TransportError);
      expect(isRetryable(error)).toBe(false);
    });

    it('are sent in order once the link opens', async () => {
      const link = memoryPair();
      let open: (() => void) | undefined;
      // Holds the memory link back until the test lets it open.
      const delayed: Transport = {
        connect: () =>
          new Observable((subscriber) => {
            let inner: { unsubscribe(): void } | undefined;
            open = () => (inner = link.client.connect().subscribe(subscriber));
            return () => inner?.unsubscribe();
          }),
      };
      const server = connect(link.server);
      const seen: string[] = [];
      server.handle('step', ([n]: number[]) => seen.push(`call ${n}`));
      server.handle('note', ([n]: number[]) => seen.push(`note ${n}`));
      const peer = connect(delayed);
      const calls = [peer.request('step', [1]), peer.request('step', [2])];
      peer.notify('note', [3]);
      calls.push(peer.request('step', [4]));
      await settle();
      expect(seen).toEqual([]);
      open!();
      await Promise.all(calls);
      expect(seen).toEqual(['call 1', 'call 2', 'note 3', 'call 4']);
      peer.close();
      server.close();
    });

    it('leave the queue when unsubscribed, and are never sent', async () => {
      const link = memoryPair();
      const raw = await rawEnd(link.server);
      const peer = connect(openingLater(link.client, 5));
      peer.request$('dropped').subscribe({ error: ignore }).unsubscribe();
      peer.request$('kept').subscribe({ error: ignore });
      expect(await raw.next()).toMatchObject({ method: 'kept' });
      await settle();
      expect(raw.received).toHaveLength(1);
      peer.close();
      raw.close();
    });
  });

  describe('when the link drops', () => {
    it('errors every pending call at once with ConnectionClosedError and leaves nothing pending', async () => {
      const { peer, raw, link } = await peerWithRawServer();
      const calls = [peer.request('a'), peer.request('b')].map((p) => p.catch((e: unknown) => e));
      await raw.next();
      await raw.next();
      link.drop(1006);
      const [a, b] = await Promise.all(calls);
      expect(a).toBeInstanceOf(ConnectionClosedError);
      expect(a).toMatchObject({ message: 'Request 1 (a) failed: connection closed (1006)', code: 1006 });
      expect(b).toMatchObject({ message: 'Request 2 (b) failed: connection closed (1006)' });
      expect(peer.pendingCount).toBe(0);
    });

    it('closes the peer for good (no reconnect is configured), with the close as the state error', async () => {
      const { peer, link } = await peerWithRawServer();
      const states = lastValueFrom(peer.state$.pipe(toArray()));
      link.drop(4000, 'server going away');
      const last = (await states).at(-1) as Extract<PeerState, { status: 'closed' }>;
      expect(last.status).toBe('closed');
      expect(last.error).toBeInstanceOf(ConnectionClosedError);
      expect(last.error).toMatchObject({ code: 4000, reason: 'server going away' });
      await expect(peer.request('x')).rejects.toThrow('Request (x) not sent: the peer is closed');
    });

    it('carries the close reason into each call error', async () => {
      const { peer, raw, link } = await peerWithRawServer();
      const call = peer.request('a').catch((e: unknown) => e);
      await raw.next();
      link.drop(4001, 'maintenance');
      expect(await call).toMatchObject({
        message: 'Request 1 (a) failed: connection closed (4001: maintenance)',
        code: 4001,
        reason: 'maintenance',
      });
    });
  });

  describe('close', () => {
    it('errors pending calls with a non-retryable ConnectionClosedError (1000)', async () => {
      const { peer, raw } = await peerWithRawServer();
      const call = peer.request('slow').catch((e: unknown) => e);
      await raw.next();
      peer.close();
      const error = await call;
      expect(error).toBeInstanceOf(ConnectionClosedError);
      expect(error).toMatchObject({ message: 'Request 1 (slow) failed: connection closed (1000)', code: 1000 });
      expect(isRetryable(error)).toBe(false);
      expect(peer.pendingCount).toBe(0);
    });

    it('closes the link, so the other side sees code 1000', async () => {
      const { client, server } = peerPair();
      await settle();
      const serverState = lastValueFrom(server.state$.pipe(toArray()));
      client.close();
      const last = (await serverState).at(-1) as Extract<PeerState, { status: 'closed' }>;
      expect(last.error).toMatchObject({ name: 'ConnectionClosedError', code: 1000 });
    });

    it('completes every stream', async () => {
      const { client } = peerPair();
      const streams = [
        client.notifications$(),
        client.notifications$('chat'),
        client.requests$,
        client.trace$,
        client.errors$,
        client.state$,
      ].map((stream) => lastValueFrom(stream.pipe(toArray())));
      client.close();
      await expect(Promise.all(streams)).resolves.toHaveLength(6);
      await expect(lastValueFrom(client.notifications$('later').pipe(toArray()))).resolves.toEqual([]);
    });

    it('stops handlers that are still running', async () => {
      const { client, server } = peerPair();
      let stopped = false;
      server.handle('forever', () => new Observable(() => () => (stopped = true)));
      const call = client.request('forever').catch((e: unknown) => e);
      await settle();
      await settle();
      server.close();
      expect(stopped).toBe(true);
      expect(await call).toBeInstanceOf(ConnectionClosedError);
    });

    it('stays a deliberate close when the transport fails while closing', async () => {
      const link = memoryPair();
      // A transport whose close() errors its connect() at once, as some sockets report.
      const failingOnClose: Transport = {
        connect: () =>
          new Observable((subscriber) => {
            const inner = link.client.connect().subscribe({
              next: (connection) =>
                subscriber.next({
                  ...connection,
                  close: () => subscriber.error(new ConnectionClosedError('closed under us', { code: 1006 })),
                }),
              error: (error: unknown) => subscriber.error(error),
            });
            return () => inner.unsubscribe();
          }),
      };
      const peer = connect(failingOnClose);
      const call = peer.request('m').catch((e: unknown) => e);
      await peer.close({ code: 4000 });
      expect(await firstValueFrom(peer.state$)).toEqual({ status: 'closed' });
      expect(await call).toMatchObject({ message: 'Request 1 (m) failed: connection closed (4000)', retryable: false });
    });

    it('does nothing the second time', async () => {
      const { client } = peerPair();
      client.close();
      expect(() => client.close()).not.toThrow();
    });
  });
});

describe('when the transport refuses to write', () => {
  /** The memory link, with a connection whose send throws as a broken socket's would. */
  const refusingWrites = (transport: Transport): Transport => ({
    connect: () =>
      transport.connect().pipe(
        map((connection) => ({
          ...connection,
          send: () => {
            throw new Error('socket is read-only');
          },
        })),
      ),
  });

  it('errors the call with TransportError and keeps nothing pending', async () => {
    const link = memoryPair();
    const peer = connect(refusingWrites(link.client));
    const error = await peer.request('m').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as Error).message).toBe('Could not send a frame: socket is read-only');
    expect(peer.pendingCount).toBe(0);
    peer.close();
  });

  it('gives back the concurrency slot of a call whose write failed', async () => {
    const link = memoryPair();
    const peer = connect(refusingWrites(link.client), { requestConcurrency: 1, timeout: 0 });
    await firstValueFrom(peer.state$.pipe(filter((s) => s.status === 'open')));
    // Each call fails inside the slot it was given: without the slot back, the second would wait forever.
    const first = await peer.request('a').catch((e: unknown) => e);
    const second = await peer.request('b').catch((e: unknown) => e);
    expect([first, second].map((e) => (e as Error).message)).toEqual([
      'Could not send a frame: socket is read-only',
      'Could not send a frame: socket is read-only',
    ]);
    expect(peer.pendingCount).toBe(0);
    peer.close();
  });

  it('reports a notification or an answer it could not send', async () => {
    const link = memoryPair();
    const raw = await rawEnd(link.server);
    const peer = connect(refusingWrites(link.client));
    const reported = lastValueFrom(peer.errors$.pipe(take(2), toArray()));
    peer.notify('note');
    raw.send({ jsonrpc: '2.0', id: 1, method: 'missing' });
    expect((await reported).map((e) => e.message)).toEqual([
      'Could not send a frame: socket is read-only',
      'Could not send a frame: socket is read-only',
    ]);
    peer.close();
    raw.close();
  });
});

describe('close with options', () => {
  it('sends the close code and reason given', async () => {
    const { client, server } = peerPair();
    await settle();
    const serverState = lastValueFrom(server.state$.pipe(toArray()));
    await client.close({ code: 4001, reason: 'bye' });
    const last = (await serverState).at(-1) as Extract<PeerState, { status: 'closed' }>;
    expect(last.error).toMatchObject({ code: 4001, reason: 'bye' });
  });

  it('waits for the requests being answered when draining, then closes', async () => {
    const { client, server } = peerPair();
    server.handle('slow', () => new Promise((resolve) => setTimeout(() => resolve('finished'), 20)));
    const call = client.request('slow');
    await settle();
    await settle();
    expect(server.answeringCount).toBe(1);
    await server.close({ drain: 1_000 });
    await expect(call).resolves.toBe('finished');
    expect(await firstValueFrom(server.state$)).toEqual({ status: 'closed' });
  });

  it('closes after the drain time even if a handler is still running', async () => {
    const { client, server } = peerPair();
    server.handle('never', () => new Promise(() => undefined));
    const call = client.request('never').catch((e: unknown) => e);
    await settle();
    await settle();
    const started = Date.now();
    await server.close({ drain: 30 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    expect(await call).toBeInstanceOf(ConnectionClosedError);
  });
});

describe('calls waiting for a concurrency slot', () => {
  it('fail at once with ConnectionClosedError when the peer closes', async () => {
    const { peer } = await peerWithRawServer({ requestConcurrency: 1, timeout: 0 });
    const first = peer.request('first').catch((e: unknown) => e);
    const waiting = peer.request('second').catch((e: unknown) => e);
    await settle();
    peer.close();
    expect(await first).toBeInstanceOf(ConnectionClosedError);
    expect(await waiting).toMatchObject({
      name: 'ConnectionClosedError',
      message: 'Request 2 (second) not sent: the peer is closed',
    });
  });
});

describe('heartbeat calls', () => {
  it('do not wait for a concurrency slot held by slow calls', async () => {
    // Heartbeats every 20 ms, each given 500 ms: only a heartbeat stuck behind the slow call fails.
    const { client, server } = peerPair({ requestConcurrency: 1, heartbeat: { interval: 20, timeout: 500 } });
    let pings = 0;
    server.handle('slow', () => new Promise(() => undefined));
    server.handle('ping', () => {
      pings++;
      return 'pong';
    });
    client.request$('slow').subscribe({ error: () => undefined });
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect((await firstValueFrom(client.state$)).status).toBe('open');
    // The heartbeats ran beside the slow call (about 35 in 700 ms).
    expect(pings).toBeGreaterThanOrEqual(10);
  });
});

describe('calls that fail as they are written', () => {
  /** A memory link whose first write is refused (as a full send buffer refuses it), opened after `delay` ms. */
  const refusingFirstWrite = (delay: number) => {
    const link = memoryPair();
    const written: unknown[] = [];
    let refuse = true;
    const transport: Transport = {
      connect: () =>
        timer(delay).pipe(
          switchMap(() => link.client.connect()),
          map((connection) => ({
            ...connection,
            send: (frame: string) => {
              written.push(frame);
              if (refuse) {
                refuse = false;
                throw new TransportError('Send buffer full');
              }
              return connection.send(frame);
            },
          })),
        ),
    };
    return { link, written, transport };
  };

  it.each([
    ['waited for the link together', 10],
    ['were made on an open link', 0],
  ])('end the others of a forkJoin unsent when they %s', async (_, delay) => {
    const { link, written, transport } = refusingFirstWrite(delay);
    const server = await rawEnd(link.server);
    const peer = connect(transport);
    if (delay === 0) await firstValueFrom(peer.state$.pipe(filter((state) => state.status === 'open')));
    const both = firstValueFrom(forkJoin([peer.request$('a'), peer.request$('b')])).catch((e: unknown) => e);
    expect(await both).toMatchObject({ name: 'TransportError' });
    await settle();
    expect(written).toEqual([expect.stringContaining('"method":"a"')]);
    expect(peer.pendingCount).toBe(0);
    server.close();
    peer.close();
  });
});

describe('automatic batching across a drop', () => {
  it('does not send on the next link what was collected for the dropped one', async () => {
    const link = memoryPair();
    const raw = await rawEnd(link.server);
    const peer = connect(link.client, { batching: { window: 50 }, reconnect: { delay: () => timer(5) } });
    const call = peer.request('collected').catch((e: unknown) => e);
    link.drop(1006);
    expect(await call).toMatchObject({ name: 'ConnectionClosedError', retryable: true });
    const again = await rawEnd(link.server);
    await firstValueFrom(peer.state$.pipe(filter((s) => s.status === 'open')));
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(again.received).toEqual([]);
    expect(raw.received).toEqual([]);
    peer.close();
    again.close();
  });
});

describe('the reconnect deadline', () => {
  it('is counted on the peer scheduler, so that virtual time can end it', async () => {
    // Bounded: were the deadline read from the wall clock, attempts would go on until maxFrames.
    const scheduler = new VirtualTimeScheduler(VirtualAction, 10_000);
    const link = memoryPair();
    let opens = 0;
    const transport: Transport = {
      connect: () =>
        opens++ === 0 ? link.client.connect() : throwError(() => new TransportError('down', { retryable: true })),
    };
    const peer = connect(transport, {
      scheduler,
      reconnect: { delay: () => timer(1_000, scheduler), deadline: 5_000 },
    });
    const states: string[] = [];
    peer.state$.subscribe((state) => states.push(state.status));
    await settle();
    link.drop(1006);
    await settle();
    scheduler.flush();
    expect(states.at(-1)).toBe('closed');
    // Attempts at 1 s, 2 s … 6 s of virtual time: the one after 5 s since the drop gives up.
    expect(opens).toBe(7);
    expect(scheduler.now()).toBe(6_000);
  });
});
