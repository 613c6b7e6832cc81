// connect(): the peer's state$, the calls made before its link opens, and what a dropped link
// does to the calls in flight. close() is in closing.spec; the reconnect policy in reconnect.spec.
import { filter, firstValueFrom, lastValueFrom, Observable, switchMap, timer, toArray } from 'rxjs';
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
      expect(a).toMatchObject({
        message:
          'Request 1 (a) failed: connection closed (1006): no close frame: the network dropped or the other side died',
        code: 1006,
        method: 'a',
        id: 1,
      });
      expect(b).toMatchObject({
        message:
          'Request 2 (b) failed: connection closed (1006): no close frame: the network dropped or the other side died',
      });
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
});
