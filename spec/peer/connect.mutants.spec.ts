// connect()'s defaults and wiring, and automatic batching, over a memory link with the other end
// driven by hand: the defaults of notificationQueue and maxBatchSize, the warning of a one-way
// link, transport problems, the error of calls cut by close(), and what automatic batching sends
// and when. (Written to kill mutants of connect.ts and outbox.ts; see docs/mutation.md.)
import { asapScheduler, map, observeOn, Subject, VirtualAction, VirtualTimeScheduler, type Observable } from 'rxjs';
import {
  connect,
  ConnectionClosedError,
  generic,
  memoryPair,
  TransportError,
  type Connection,
  type PeerOptions,
  type Transport,
} from 'rx-jsonrpc';
import { closeAll, peerWithRawServer } from '../helpers/memory-peers';
import { observe } from '../helpers/observe';
import { rawEnd, settle } from '../helpers/raw-end';

afterEach(closeAll);

type Call = { jsonrpc: '2.0'; id: number; method: string; params?: unknown };

/** The client end of a memory link, with its connections changed by `change`, opening in a later task. */
function changed(change: (connection: Connection) => Connection) {
  const link = memoryPair();
  const transport: Transport = {
    connect: () => (link.client.connect() as Observable<Connection>).pipe(observeOn(asapScheduler), map(change)),
  };
  return { link, transport };
}

const opened: { close(): void }[] = [];
afterEach(() => opened.splice(0).forEach((peer) => peer.close()));

describe('the defaults', () => {
  it('queue up to 1000 notifications while the link is down', async () => {
    const again = new Subject<void>();
    const { peer, link } = await peerWithRawServer({ reconnect: { delay: () => again } });
    const reported = observe(peer.errors$);
    link.drop(1006);
    await settle();
    for (let n = 0; n < 1000; n++) peer.notify('note', [n]);
    expect(reported.values).toEqual([]);
    peer.notify('note', [1000]);
    expect(reported.values.map((e) => e.message)).toEqual(['A queued notification was dropped: more than 1000 wait']);
  });

  it('refuse an incoming batch of more than 1000 members', async () => {
    const { raw } = await peerWithRawServer();
    const note = { jsonrpc: '2.0', method: 'note' };
    raw.send(Array.from({ length: 1000 }, () => note));
    raw.send(Array.from({ length: 1001 }, () => note));
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Invalid Request' } });
    await settle();
    expect(raw.received).toHaveLength(1);
  });
});

describe('a link that carries no calls to this side', () => {
  it('is reported once open when the peer has handlers, naming them', async () => {
    const { link, transport } = changed((c) => ({ ...c, info: { ...c.info, transport: 'oneway', duplex: false } }));
    const peer = connect(transport);
    opened.push(peer);
    peer.handle('a', () => 1);
    peer.handle('b', () => 2);
    const reported = observe(peer.errors$);
    await rawEnd(link.server);
    await settle();
    expect(reported.values).toHaveLength(1);
    expect(reported.values[0]).toBeInstanceOf(TransportError);
    expect(reported.values[0]!.message).toBe(
      'The oneway transport carries no calls to this side: handlers of a, b will never run',
    );
  });

  it('is not reported without handlers, nor for a duplex link', async () => {
    const oneWay = changed((c) => ({ ...c, info: { ...c.info, duplex: false } }));
    const quiet = connect(oneWay.transport);
    const duplex = changed((c) => ({ ...c, info: { ...c.info, duplex: true } }));
    const handling = connect(duplex.transport);
    opened.push(quiet, handling);
    handling.handle('a', () => 1);
    const reported = [observe(quiet.errors$), observe(handling.errors$)];
    await rawEnd(oneWay.link.server);
    await rawEnd(duplex.link.server);
    await settle();
    expect(reported.map((r) => r.values)).toEqual([[], []]);
  });
});

describe('problems the transport reports', () => {
  it('go to errors$', async () => {
    const problems = new Subject<TransportError>();
    const { link, transport } = changed((c) => ({ ...c, problems$: problems }));
    const peer = connect(transport);
    opened.push(peer);
    const reported = observe(peer.errors$);
    await rawEnd(link.server);
    await settle();
    const problem = new TransportError('frame too large');
    problems.next(problem);
    expect(reported.values).toEqual([problem]);
  });
});

describe('close()', () => {
  it('fails the calls it cuts with a ConnectionClosedError that names the code and reason, not retryable', async () => {
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

  it('names only the code when there is no reason', async () => {
    const { peer, raw } = await peerWithRawServer();
    const states = observe(peer.state$);
    const call = observe(peer.request$('m'));
    await raw.next();
    await peer.close();
    const error = (await call.error()) as Error;
    expect(error.message).toBe('Request 1 (m) failed: connection closed (1000)');
    expect(error.cause).toMatchObject({ message: 'Connection closed by this peer (1000)' });
    expect(states.values.at(-1)).toEqual({ status: 'closed' });
  });
});

describe('automatic batching', () => {
  async function batching(option: PeerOptions['batching'], options: PeerOptions = {}) {
    return peerWithRawServer({ batching: option, ...options });
  }

  it('sends the calls of one tick as one array frame, with batching: true', async () => {
    const { peer, raw } = await batching(true);
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
    const { peer, raw } = await batching({ window: 20 }, { scheduler });
    observe(peer.request$('a'));
    await settle();
    observe(peer.request$('b'));
    await settle();
    expect(raw.received).toEqual([]);
    scheduler.flush();
    expect(((await raw.next()) as Call[]).map((m) => m.method)).toEqual(['a', 'b']);
  });

  it('takes back a call unsubscribed before the frame goes, whatever its place, and sends no cancel for it', async () => {
    const { peer, raw } = await batching(true, { dialect: generic() });
    const calls = ['a', 'b', 'c'].map((method) => observe(peer.request$(method)));
    calls[0]!.unsubscribe();
    calls[2]!.unsubscribe();
    expect(await raw.next()).toMatchObject({ method: 'b' });
    await settle();
    expect(raw.received).toHaveLength(1);
    expect(peer.pendingCount).toBe(1);
  });

  it('sends nothing when every call collected was taken back', async () => {
    const { peer, raw } = await batching(true);
    const calls = ['a', 'b'].map((method) => observe(peer.request$(method)));
    for (const call of calls) call.unsubscribe();
    await settle();
    expect(raw.received).toEqual([]);
  });

  it('answers a batch that holds calls the server leaves out with ProtocolError for those', async () => {
    const { peer, raw } = await batching(true);
    const calls = ['a', 'b'].map((method) => observe(peer.request$(method)));
    const frame = (await raw.next()) as Call[];
    raw.send([{ jsonrpc: '2.0', id: frame[0]!.id, result: 'a' }]);
    expect(await calls[1]!.error()).toMatchObject({
      name: 'ProtocolError',
      message: `Request ${frame[1]!.id} (b) got no answer in its batch's answer`,
    });
    expect(calls[0]!.values).toEqual(['a']);
  });
});
