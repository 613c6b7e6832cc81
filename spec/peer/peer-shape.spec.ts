// What connect() returns and how it fails to open, seen from outside: a peer is read through
// spreads and Proxies, and a link that cannot be used fails the peer, not the process.
import { filter, firstValueFrom, Observable, Subject } from 'rxjs';
import { connect, type Connection, type PeerState, type Transport } from 'rx-jsonrpc';
import { closeAll, peerPair } from '../helpers/memory-peers';

afterEach(closeAll);

describe('a peer object', () => {
  it('keeps its counts own and enumerable: a spread, a Proxy and an object made from it read them', async () => {
    const { client, server } = peerPair();
    server.handle('slow', () => new Promise((resolve) => setTimeout(() => resolve('late'), 30)));
    const call = client.request('slow');
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect({ ...client }.pendingCount).toBe(1);
    expect(Object.keys(client)).toEqual(expect.arrayContaining(['request', 'pendingCount', 'answeringCount']));
    expect(new Proxy(client, {}).pendingCount).toBe(1);
    expect((Object.create(server) as typeof server).answeringCount).toBe(1);
    const { request } = client;
    expect(await request('slow')).toBe('late');
    expect(await call).toBe('late');
  });
});

describe('the members of a peer', () => {
  // Every member the Peer interface names: a member left out of the object would read undefined.
  const members = [
    'request$',
    'request',
    'notify',
    'notifications$',
    'handle',
    'handleAll',
    'requests$',
    'foreign$',
    'incoming$',
    'state$',
    'trace$',
    'errors$',
    'session',
    'pendingCount',
    'answeringCount',
    'dialect',
    'scheduler',
    'timeout',
    'report',
    'sendTogether',
    'close',
  ];

  it('are all there, own and enumerable, and each reads the same value every time', () => {
    const { client } = peerPair();
    expect(Object.keys(client).sort()).toEqual([...members].sort());
    for (const name of members) {
      const read = (client as unknown as Record<string, unknown>)[name];
      expect({ name, defined: read !== undefined }).toEqual({ name, defined: true });
      expect((client as unknown as Record<string, unknown>)[name]).toBe(read);
    }
  });

  it('can be replaced by test doubles on one peer: jest.spyOn, or an assignment', async () => {
    const { client, server } = peerPair();
    const spy = jest.spyOn(client, 'request').mockResolvedValue(42 as never);
    expect(await client.request('anything')).toBe(42);
    expect(spy).toHaveBeenCalledWith('anything');
    const sent: string[] = [];
    (server as { notify: (method: string) => void }).notify = (method) => sent.push(method);
    server.notify('hello');
    expect(sent).toEqual(['hello']);
    // The other peers keep their own members.
    const other = peerPair();
    other.server.handle('echo', (params: unknown) => params);
    expect(await other.client.request('echo', ['x'])).toEqual(['x']);
  });
});

describe('a link that cannot be used', () => {
  it('fails the peer with a TransportError instead of throwing out of the process', async () => {
    // A connection without frames$: what a broken transport of the user's might emit.
    const broken: Transport = {
      connect: () =>
        new Observable<Connection>((subscriber) => {
          subscriber.next({
            info: { transport: 'broken' },
            send: () => undefined,
            close: () => undefined,
          } as unknown as Connection);
        }),
    };
    const rpc = connect(broken);
    const closed = await firstValueFrom(
      rpc.state$.pipe(filter((state): state is Extract<PeerState, { status: 'closed' }> => state.status === 'closed')),
    );
    expect(closed.error?.name).toBe('TransportError');
    expect(closed.error?.message).toMatch(/^The transport failed: /);
  });

  it('lets go of the streams it had subscribed to when a later one of the link throws', async () => {
    const frames = new Subject<string>();
    // frames$ is fine, messages$ is not an Observable: listening fails half-way.
    const halfBroken: Transport = {
      connect: () =>
        new Observable<Connection>((subscriber) => {
          subscriber.next({
            info: { transport: 'broken' },
            frames$: frames,
            messages$: null,
            send: () => undefined,
            close: () => undefined,
          } as unknown as Connection);
        }),
    };
    const rpc = connect(halfBroken);
    const closed = await firstValueFrom(
      rpc.state$.pipe(filter((state): state is Extract<PeerState, { status: 'closed' }> => state.status === 'closed')),
    );
    expect(closed.error?.message).toMatch(/^The transport failed: /);
    expect(frames.observed).toBe(false);
  });
});
