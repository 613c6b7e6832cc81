// close(): the ConnectionClosedError of the calls it cuts, naming the code and the reason; the
// close the other side sees; every stream completed and every handler stopped; and
// close({ drain }), which waits for the calls being answered before it closes.
import { firstValueFrom, lastValueFrom, Observable, Subject, toArray, VirtualAction, VirtualTimeScheduler } from 'rxjs';
import { connect, ConnectionClosedError, isRetryable, memoryPair, type PeerState, type Transport } from 'rx-jsonrpc';
import { closeAll, peerPair, peerWithRawServer } from '../helpers/memory-peers';
import { observe } from '../helpers/observe';
import { settle } from '../helpers/raw-end';

afterEach(closeAll);

/** The last of the states a peer went through, once its state$ completed. */
const lastState = async (states: Promise<PeerState[]>) =>
  (await states).at(-1) as Extract<PeerState, { status: 'closed' }>;

describe('close()', () => {
  describe('with calls in flight', () => {
    it('fails them with a ConnectionClosedError that names the code and reason, not retryable', async () => {
      const { peer, raw } = await peerWithRawServer();
      const states = observe(peer.state$);
      const call = observe(peer.request$('m'));
      await raw.next();
      await peer.close({ code: 4000, reason: 'bye' });
      const error = await call.error();
      expect(error).toBeInstanceOf(ConnectionClosedError);
      expect(error).toMatchObject({ code: 4000, reason: 'bye', retryable: false });
      expect((error as Error).message).toBe('Request 1 (m) failed: connection closed (4000: bye)');
      expect((error as Error).cause).toMatchObject({ message: 'Connection closed by this peer (4000: bye)' });
      expect(states.values.at(-1)).toEqual({ status: 'closed' });
    });

    it('names only the code, 1000, when given none, and leaves nothing pending', async () => {
      const { peer, raw } = await peerWithRawServer();
      const states = observe(peer.state$);
      const call = observe(peer.request$('m'));
      await raw.next();
      await peer.close();
      const error = (await call.error()) as Error;
      expect(error).toBeInstanceOf(ConnectionClosedError);
      expect(error).toMatchObject({ code: 1000 });
      expect(isRetryable(error)).toBe(false);
      expect(error.message).toBe('Request 1 (m) failed: connection closed (1000)');
      expect(error.cause).toMatchObject({ message: 'Connection closed by this peer (1000)' });
      expect(peer.pendingCount).toBe(0);
      expect(states.values.at(-1)).toEqual({ status: 'closed' });
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
  });

  describe('the other side', () => {
    it('sees code 1000 when no code is given', async () => {
      const { client, server } = peerPair();
      await settle();
      const serverStates = lastValueFrom(server.state$.pipe(toArray()));
      client.close();
      expect((await lastState(serverStates)).error).toMatchObject({ name: 'ConnectionClosedError', code: 1000 });
    });

    it('sees the code and reason given', async () => {
      const { client, server } = peerPair();
      await settle();
      const serverStates = lastValueFrom(server.state$.pipe(toArray()));
      await client.close({ code: 4001, reason: 'bye' });
      expect((await lastState(serverStates)).error).toMatchObject({ code: 4001, reason: 'bye' });
    });
  });

  it('completes every stream, and those asked for after it', async () => {
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

  it('stops handlers that are still running, and the caller sees the close', async () => {
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

  it('does nothing the second time', async () => {
    const { client } = peerPair();
    client.close();
    expect(() => client.close()).not.toThrow();
  });

  describe('with a drain time', () => {
    it('closes at once when no call is being answered', async () => {
      const scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);
      const { peer } = await peerWithRawServer({ scheduler });
      await peer.close({ drain: 1_000 });
      expect(await new Promise((resolve) => peer.state$.subscribe((s) => resolve(s.status)))).toBe('closed');
    });

    it('returns before the peer closes, even with nothing being answered: a notification sent right after goes out', async () => {
      const { peer, raw } = await peerWithRawServer();
      const closing = peer.close({ drain: 1_000 });
      peer.notify('last-word');
      expect(await raw.next()).toMatchObject({ method: 'last-word' });
      await closing;
      expect(() => peer.notify('too-late')).toThrow(ConnectionClosedError);
    });

    it('waits for every call being answered, then closes, without waiting for the drain time', async () => {
      const scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);
      const { peer, raw } = await peerWithRawServer({ scheduler });
      const finish = [new Subject<string>(), new Subject<string>()];
      peer.handle('work', ([n]: [number]) => finish[n]!);
      raw.send({ jsonrpc: '2.0', id: 1, method: 'work', params: [0] });
      raw.send({ jsonrpc: '2.0', id: 2, method: 'work', params: [1] });
      await settle();
      expect(peer.answeringCount).toBe(2);
      let closed = false;
      const closing = peer.close({ drain: 1_000 }).then(() => (closed = true));
      finish[0]!.next('first');
      expect(await raw.next()).toMatchObject({ id: 1, result: 'first' });
      await settle();
      expect(closed).toBe(false);
      finish[1]!.next('second');
      expect(await raw.next()).toMatchObject({ id: 2, result: 'second' });
      await closing;
      expect(closed).toBe(true);
      expect(await firstValueFrom(peer.state$)).toEqual({ status: 'closed' });
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
});
