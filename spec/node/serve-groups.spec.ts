// serve()'s broadcasts: named groups, and a backplane carrying broadcasts between servers
// (here an in-process bus; spec/redis runs real processes on a real Redis).
import { connect, http, type Peer, type RpcError } from 'rx-jsonrpc';
import { serve, webSocket, type JsonRpcServer, type ServeOptions } from 'rx-jsonrpc/node';
import { bigIntJson } from '../helpers/big-int-json';
import { LocalBus } from '../helpers/local-backplane';
import { observe, type Observed } from '../helpers/observe';

const servers: JsonRpcServer[] = [];
const clients: Peer[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** A server whose clients join a group with `enter` ({ room }), answered with join's result. */
async function start(options: Partial<ServeOptions> = {}): Promise<JsonRpcServer> {
  const server: JsonRpcServer = await serve({ port: 0, host: '127.0.0.1', ...options }, (peer) => {
    peer.handle('enter', ({ room }: { room: string }) => server.join(peer, room));
    peer.handle('exit', ({ room }: { room: string }) => server.leave(peer, room));
  });
  servers.push(server);
  return server;
}

function client(server: JsonRpcServer, options: Parameters<typeof connect>[1] = {}): Peer {
  const rpc = connect(webSocket(server.url ?? ''), options);
  clients.push(rpc);
  return rpc;
}

const ticks = (rpc: Peer): Observed<unknown> => observe(rpc.notifications$('tick'));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('groups', () => {
  it('notifyGroup reaches the members of the group only, until they leave it', async () => {
    const server = await start();
    const [red, blue] = [client(server), client(server)];
    const [toRed, toBlue] = [ticks(red), ticks(blue)];
    expect(await red.request('enter', { room: 'red' })).toBe(true);
    await blue.request('enter', { room: 'blue' });
    server.notifyGroup('red', 'tick', { n: 1 });
    expect(await toRed.next()).toEqual({ n: 1 });
    await red.request('exit', { room: 'red' });
    server.notifyGroup('red', 'tick', { n: 2 });
    server.notifyGroup('blue', 'tick', { n: 3 });
    expect(await toBlue.next()).toEqual({ n: 3 });
    expect(toRed.values).toEqual([{ n: 1 }]);
    expect(toBlue.values).toEqual([{ n: 3 }]);
  });

  it('a group broadcast after one of its members closed reaches the others, and one to a group nobody is in reaches nobody, with no error', async () => {
    const server = await start();
    const errors = observe(server.errors$);
    const [gone, stays] = [client(server), client(server)];
    await Promise.all([gone.request('enter', { room: 'red' }), stays.request('enter', { room: 'red' })]);
    const toStays = ticks(stays);
    await gone.close();
    while (server.peers.size > 1) await sleep(5);
    server.notifyGroup('red', 'tick', [1]);
    server.notifyGroup('nobody', 'tick', [2]);
    expect(await toStays.next()).toEqual([1]);
    expect(errors.values).toEqual([]);
  });

  it('join returns false for a peer that cannot be notified: an HTTP POST peer, or a closed one', async () => {
    const server = await start();
    const overHttp = connect(http(server.url?.replace('ws:', 'http:') ?? ''));
    clients.push(overHttp);
    expect(await overHttp.request('enter', { room: 'red' })).toBe(false);
    const closed = client(server);
    await closed.request('rpc.ping').catch(() => undefined);
    const [peer] = [...server.peers];
    await closed.close();
    while (server.peers.size > 0) await sleep(5);
    expect(server.join(peer!, 'red')).toBe(false);
  });

  it('refuses a group name that is not a non-empty string, and bad method or params, before sending anything', async () => {
    const server = await start();
    const rpc = client(server);
    await rpc.request('enter', { room: 'red' });
    expect(() => server.notifyGroup('', 'tick')).toThrow(TypeError);
    expect(() => server.join([...server.peers][0]!, 7 as unknown as string)).toThrow(/non-empty string/);
    expect(() => server.notifyGroup('red', '')).toThrow(/method must be a non-empty string/);
  });
});

describe('broadcasts', () => {
  it('write the notification once for all the clients, who each get the same text', async () => {
    const server = await start();
    const clients = [client(server), client(server), client(server)];
    await Promise.all(clients.map((rpc) => rpc.request('enter', { room: 'red' })));
    const heard = clients.map(ticks);
    let written = 0;
    // JSON.stringify calls toJSON each time it writes the params.
    const params = { toJSON: () => ({ n: ++written }) };
    server.notifyAll('tick', params);
    server.notifyGroup('red', 'tick', params);
    for (const each of heard) expect([await each.next(), await each.next()]).toEqual([{ n: 1 }, { n: 2 }]);
    expect(written).toBe(2);
  });
});

describe('a backplane', () => {
  it('carries notifyAll and notifyGroup to the other servers, and each client hears each broadcast once', async () => {
    const bus = new LocalBus();
    const [one, two] = [await start({ backplane: bus.backplane() }), await start({ backplane: bus.backplane() })];
    const [a, b] = [client(one), client(two)];
    await Promise.all([a.request('enter', { room: 'red' }), b.request('enter', { room: 'red' })]);
    const [toA, toB] = [ticks(a), ticks(b)];
    one.notifyAll('tick', [1]);
    two.notifyGroup('red', 'tick', [2]);
    one.notifyAll('tick', [3]);
    for (const heard of [toA, toB]) for (let i = 0; i < 3; i++) await heard.next();
    await sleep(50);
    // Each sender's broadcasts in its order; the two senders' interleave as they arrive.
    for (const heard of [toA, toB]) {
      expect(heard.values.filter((v) => (v as number[])[0] !== 2)).toEqual([[1], [3]]);
      expect(heard.values).toHaveLength(3);
    }
  });

  it('still reaches its own clients when a backplane throws instead of rejecting, and reports it', async () => {
    const bus = new LocalBus();
    const throwing = {
      ...bus.backplane(),
      publish: () => {
        throw new Error('not ready');
      },
    };
    const server = await start({ backplane: throwing });
    const errors = observe<RpcError>(server.errors$);
    const a = client(server);
    await a.request('enter', { room: 'red' });
    const toA = ticks(a);
    server.notifyAll('tick', [1]);
    expect(await toA.next()).toEqual([1]);
    expect((await errors.next()).message).toBe(
      "Broadcast (tick) may have reached only this process's clients: not ready",
    );
  });

  it("writes broadcasts with the peers' codec", async () => {
    const bus = new LocalBus();
    const peer = { codec: bigIntJson };
    const [one, two] = [
      await start({ backplane: bus.backplane(), peer }),
      await start({ backplane: bus.backplane(), peer }),
    ];
    const b = client(two, { codec: bigIntJson });
    await b.request('enter', { room: 'any' });
    const toB = ticks(b);
    one.notifyAll('tick', [2n ** 70n]);
    expect(await toB.next()).toEqual([2n ** 70n]);
  });

  it('reports a broadcast that only reached its own clients, and one from the backplane it cannot read', async () => {
    const bus = new LocalBus();
    const server = await start({ backplane: bus.backplane() });
    const errors = observe<RpcError>(server.errors$);
    const a = client(server);
    await a.request('enter', { room: 'red' });
    const toA = ticks(a);
    bus.down = true;
    server.notifyAll('tick', [1]);
    server.notifyGroup('red', 'tick', [2]);
    expect(await toA.next()).toEqual([1]);
    expect(await toA.next()).toEqual([2]);
    expect((await errors.next()).message).toBe(
      "Broadcast (tick) may have reached only this process's clients: the bus is down",
    );
    expect((await errors.next()).message).toBe(
      "Broadcast (tick) may have reached only this process's clients in red: the bus is down",
    );
    for (const text of [
      '{"v":1,"from":"x"}',
      'not json\n{}',
      '{"v":2,"from":"x"}\n{}',
      '{"v":1,"from":"x"}\n{"jsonrpc":"2.0","id":1,"method":"m"}',
      '{"v":1,"from":"x"}\n{"jsonrpc":"2.0","method":""}',
    ])
      bus.deliver(text);
    for (let i = 0; i < 5; i++)
      expect((await errors.next()).message).toMatch(/^A broadcast from the backplane was not delivered: /);
    bus.fail(new Error('connection lost'));
    expect((await errors.next()).message).toBe('The backplane failed: connection lost');
    expect(toA.values).toEqual([[1], [2]]);
  });

  it('serve() rejects when the backplane cannot listen, and stops listening and publishing on close', async () => {
    const bus = new LocalBus();
    const refusing = { ...bus.backplane(), listen: () => Promise.reject(new Error('no subscription')) };
    await expect(serve({ port: 0, host: '127.0.0.1', backplane: refusing }, () => undefined)).rejects.toThrow(
      'no subscription',
    );
    const server = await start({ backplane: bus.backplane() });
    expect(bus.listening).toBe(1);
    await servers.splice(0)[0]!.close();
    expect(bus.listening).toBe(0);
    server.notifyAll('tick', ['after close']);
    await sleep(20);
    expect(bus.published).toEqual([]);
  });
});
