// What was left after the first round of mutation tests (docs/mutation.md, "Still worth a test"):
// handlerConcurrency when calls are cancelled or finish before they run, cancel notifications that
// do not name a running call, the work of notification handlers when the link drops, what the
// outbox writes around explicit batches and when its frame fails, Slots released twice, and what
// the proxy answers for the names and symbols that describe it. The other end of a memory link is
// driven by hand; frames are asserted exactly. (Written to kill mutants of answer.ts, outbox.ts,
// slots.ts and proxy.ts; see docs/mutation.md.)
import { inspect } from 'node:util';
import { asapScheduler, map, Observable, observeOn, Subject, VirtualAction, VirtualTimeScheduler } from 'rxjs';
import {
  batch$,
  connect,
  type Connection,
  ConnectionClosedError,
  createProxy,
  generic,
  memoryPair,
  type PeerOptions,
  ProtocolError,
  type Peer,
  type Transport,
  TransportError,
} from 'rx-jsonrpc';
import { Slots } from '../../lib/peer/slots';
import { closeAll, peerWithRawServer } from '../helpers/memory-peers';
import { observe } from '../helpers/observe';
import { rawEnd, settle } from '../helpers/raw-end';

afterEach(closeAll);

const opened: { close(): void }[] = [];
afterEach(() => opened.splice(0).forEach((peer) => peer.close()));

const request = (id: number | null, method = 'work', params: unknown = []) => ({ jsonrpc: '2.0', id, method, params });
const cancelRequest = (id: unknown) => ({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id } });

type Call = { jsonrpc: '2.0'; id: number; method: string; params?: unknown };

describe('handlerConcurrency, with calls that end before their turn', () => {
  it('keeps the slot of the running call taken when a waiting call is cancelled', async () => {
    const { peer, raw } = await peerWithRawServer({ handlerConcurrency: 1, dialect: generic() });
    const started: number[] = [];
    const first = new Subject<string>();
    peer.handle('work', ([n]: [number]) => {
      started.push(n);
      return n === 1 ? first : `answer ${n}`;
    });
    raw.send(request(1, 'work', [1]));
    raw.send(request(2, 'work', [2]));
    raw.send(cancelRequest(2));
    raw.send(request(3, 'work', [3]));
    await settle();
    // Call 1 still runs: call 3 waits, the cancelled call 2 having never taken the slot.
    expect(started).toEqual([1]);
    expect(peer.answeringCount).toBe(2);
    expect(raw.received).toEqual([]);
    first.next('one');
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', id: 1, result: 'one' });
  });
});

describe('cancel notifications on the answering side', () => {
  it('send nothing for a cancelled call when the dialect answers nothing, and the link carries on', async () => {
    const { peer, raw } = await peerWithRawServer({ dialect: generic() });
    let aborted = 0;
    peer.handle('work', ([n]: [number], { signal }) => {
      signal.addEventListener('abort', () => aborted++);
      return n === 1 ? new Subject<string>() : `answer ${n}`;
    });
    raw.send(request(1, 'work', [1]));
    await settle();
    raw.send(cancelRequest(1));
    await settle();
    expect(aborted).toBe(1);
    expect(peer.answeringCount).toBe(0);
    expect(raw.received).toEqual([]);
    raw.send(request(2, 'work', [2]));
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', id: 2, result: 'answer 2' });
    expect(raw.received).toHaveLength(1);
  });

  it('leave a call already answered alone: its signal does not abort afterwards', async () => {
    const { peer, raw } = await peerWithRawServer({ dialect: generic() });
    const aborts: unknown[] = [];
    peer.handle('work', (_params, { signal }) => {
      signal.addEventListener('abort', () => aborts.push(signal.reason));
      return 'done';
    });
    raw.send(request(1));
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', id: 1, result: 'done' });
    raw.send(cancelRequest(1));
    await settle();
    expect(aborts).toEqual([]);
    expect(raw.received).toHaveLength(1);
  });

  it('cannot name a request whose id is null: it runs to its answer', async () => {
    const { peer, raw } = await peerWithRawServer({ dialect: generic() });
    const finish = new Subject<string>();
    let aborted = false;
    peer.handle('work', (_params, { signal }) => {
      signal.addEventListener('abort', () => (aborted = true));
      return finish;
    });
    raw.send(request(null));
    await settle();
    raw.send(cancelRequest(null));
    await settle();
    expect(aborted).toBe(false);
    expect(peer.answeringCount).toBe(1);
    finish.next('still answered');
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', id: null, result: 'still answered' });
  });

  it('are only the dialect’s method: another notification with an id in its params cancels nothing', async () => {
    const { peer, raw } = await peerWithRawServer({ dialect: generic() });
    const finish = new Subject<string>();
    let aborted = false;
    peer.handle('work', (_params, { signal }) => {
      signal.addEventListener('abort', () => (aborted = true));
      return finish;
    });
    const notes = observe(peer.notifications$('note'));
    raw.send(request(1));
    await settle();
    raw.send({ jsonrpc: '2.0', method: 'note', params: { id: 1 } });
    await settle();
    expect(notes.values).toEqual([{ id: 1 }]);
    expect(aborted).toBe(false);
    finish.next('answered');
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', id: 1, result: 'answered' });
  });
});

describe('notifications on the answering side', () => {
  it('without a handler run nothing and report nothing', async () => {
    const { peer, raw } = await peerWithRawServer();
    const reported = observe(peer.errors$);
    const notes = observe(peer.notifications$('note'));
    raw.send({ jsonrpc: '2.0', method: 'note', params: [1] });
    await settle();
    expect(notes.values).toEqual([[1]]);
    expect(reported.values).toEqual([]);
    expect(raw.received).toEqual([]);
  });

  it('have the work of their handlers unsubscribed when the link drops', async () => {
    const again = new Subject<void>();
    const { peer, raw, link } = await peerWithRawServer({ reconnect: { delay: () => again } });
    const events: string[] = [];
    peer.handle(
      'watch',
      ([name]: [string]) =>
        new Observable<never>(() => {
          events.push(`start ${name}`);
          return () => events.push(`stop ${name}`);
        }),
    );
    raw.send({ jsonrpc: '2.0', method: 'watch', params: ['a'] });
    raw.send({ jsonrpc: '2.0', method: 'watch', params: ['b'] });
    await settle();
    expect(events).toEqual(['start a', 'start b']);
    link.drop(1006);
    await settle();
    expect(events).toEqual(['start a', 'start b', 'stop a', 'stop b']);
    expect(raw.received).toEqual([]);
  });

  it('have the work of their handlers unsubscribed when the peer closes', async () => {
    const { peer, raw } = await peerWithRawServer();
    let stopped = false;
    peer.handle('watch', () => new Observable<never>(() => () => (stopped = true)));
    raw.send({ jsonrpc: '2.0', method: 'watch' });
    await settle();
    expect(stopped).toBe(false);
    await peer.close();
    expect(stopped).toBe(true);
  });
});

describe('the handler deadline on a real clock', () => {
  it('is never armed with a handlerTimeout of Infinity (Node would run such a timer after 1 ms)', async () => {
    const { peer, raw } = await peerWithRawServer({ handlerTimeout: Infinity });
    const finish = new Subject<string>();
    peer.handle('work', () => finish);
    raw.send(request(1));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(raw.received).toEqual([]);
    expect(peer.answeringCount).toBe(1);
    finish.next('late but fine');
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', id: 1, result: 'late but fine' });
  });
});

describe('the outbox around explicit batches', () => {
  it('sends a batch of one as an array of one', async () => {
    const { peer, raw } = await peerWithRawServer();
    const results = observe(batch$(peer, (b) => [b.request('a', [1])]));
    expect(await raw.next()).toEqual([{ jsonrpc: '2.0', id: 1, method: 'a', params: [1] }]);
    raw.send([{ jsonrpc: '2.0', id: 1, result: 'A' }]);
    expect(await results.next()).toEqual([{ ok: true, value: 'A' }]);
  });

  it('sends what automatic batching collected with the explicit batch, then nothing more', async () => {
    const { peer, raw } = await peerWithRawServer({ batching: true });
    observe(peer.request$('a'));
    observe(batch$(peer, (b) => [b.request('b'), b.notify('n')]));
    const frame = (await raw.next()) as Call[];
    expect(frame).toEqual([
      { jsonrpc: '2.0', id: 1, method: 'a' },
      { jsonrpc: '2.0', id: 2, method: 'b' },
      { jsonrpc: '2.0', method: 'n' },
    ]);
    // The flush automatic batching had scheduled finds nothing left to write.
    await settle();
    expect(raw.received).toHaveLength(1);
  });

  it('sends nothing more once an explicit batch of notifications is written', async () => {
    const { peer, raw } = await peerWithRawServer();
    observe(batch$(peer, (b) => [b.notify('n', [1])]));
    expect(await raw.next()).toEqual([{ jsonrpc: '2.0', method: 'n', params: [1] }]);
    await settle();
    expect(raw.received).toHaveLength(1);
  });
});

describe('automatic batching', () => {
  it('with no window, writes when the tick ends, without waiting for the peer scheduler', async () => {
    const scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);
    const { peer, raw } = await peerWithRawServer({ batching: true, scheduler });
    observe(peer.request$('a'));
    observe(peer.request$('b'));
    await settle();
    expect(raw.received).toHaveLength(1);
    expect(((await raw.next()) as Call[]).map((m) => m.method)).toEqual(['a', 'b']);
  });

  it('schedules one flush per collection: a flush already done leaves none behind to split the next', async () => {
    const { peer, raw } = await peerWithRawServer({ batching: true });
    observe(peer.request$('a'));
    queueMicrotask(() => {
      // Runs after the flush of a and b; e is sent in a later microtask, before the flush of c.
      queueMicrotask(() => observe(peer.request$('e')));
      observe(peer.request$('c'));
    });
    observe(peer.request$('b'));
    expect(((await raw.next()) as Call[]).map((m) => m.method)).toEqual(['a', 'b']);
    expect(((await raw.next()) as Call[]).map((m) => m.method)).toEqual(['c', 'e']);
    await settle();
    expect(raw.received).toHaveLength(2);
  });

  it('sends the cancel notification of a call unsubscribed after its batch frame went out', async () => {
    const { peer, raw } = await peerWithRawServer({ batching: true, dialect: generic() });
    const calls = ['a', 'b'].map((method) => observe(peer.request$(method)));
    const frame = (await raw.next()) as Call[];
    expect(frame.map((m) => m.method)).toEqual(['a', 'b']);
    calls[1]!.unsubscribe();
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id: 2 } });
    calls[0]!.unsubscribe();
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id: 1 } });
  });

  it('sends the cancel notification of a lone call unsubscribed after it went out', async () => {
    const { peer, raw } = await peerWithRawServer({ batching: true, dialect: generic() });
    const call = observe(peer.request$('a'));
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', id: 1, method: 'a' });
    call.unsubscribe();
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id: 1 } });
  });
});

/** A peer over a memory link whose connections are changed by `change`. */
async function changedPeer(change: (connection: Connection) => Connection, options: PeerOptions) {
  const link = memoryPair();
  const transport: Transport = {
    connect: () => link.client.connect().pipe(observeOn(asapScheduler), map(change)),
  };
  const peer = connect(transport, options);
  opened.push(peer);
  const raw = await rawEnd(link.server);
  await settle();
  return { peer, raw };
}

describe('a batch frame that fails', () => {
  it('fails each call it carries with the error of the write', async () => {
    const refused = new TransportError('frame too large', { retryable: false });
    const { peer } = await changedPeer(
      (c) => ({
        ...c,
        send: () => {
          throw refused;
        },
      }),
      { batching: true },
    );
    const calls = ['a', 'b'].map((method) => observe(peer.request$(method)));
    expect(await calls[0]!.error()).toBe(refused);
    expect(await calls[1]!.error()).toBe(refused);
    expect(peer.pendingCount).toBe(0);
  });

  it('fails the calls it carries and reports the notifications it carries', async () => {
    const refused = new TransportError('frame too large', { retryable: false });
    const { peer } = await changedPeer(
      (c) => ({
        ...c,
        send: () => {
          throw refused;
        },
      }),
      { batching: true },
    );
    const reported = observe(peer.errors$);
    peer.notify('first');
    const call = observe(peer.request$('a'));
    peer.notify('last');
    await settle();
    expect(call.ending).toEqual({ kind: 'error', error: refused });
    // The notifications have nobody to fail: their loss is reported, once each.
    expect(reported.values).toEqual([refused, refused]);
  });

  it('fails each call it carries with the error the transport reports for it later', async () => {
    const lost = new TransportError('exchange aborted', { retryable: true });
    const { peer, raw } = await changedPeer(
      (c) => ({
        ...c,
        send: (frame, ended) => {
          c.send(frame);
          setTimeout(() => ended?.(lost), 0);
        },
      }),
      { batching: true },
    );
    const calls = ['a', 'b'].map((method) => observe(peer.request$(method)));
    expect(((await raw.next()) as Call[]).map((m) => m.method)).toEqual(['a', 'b']);
    expect(await calls[0]!.error()).toBe(lost);
    expect(await calls[1]!.error()).toBe(lost);
  });

  it('fails each call still waiting with a ProtocolError when its exchange ends without an answer', async () => {
    const { peer, raw } = await changedPeer(
      (c) => ({
        ...c,
        send: (frame, ended) => {
          c.send(frame);
          setTimeout(() => ended?.(), 0);
        },
      }),
      { batching: true },
    );
    const calls = ['a', 'b'].map((method) => observe(peer.request$(method)));
    expect(((await raw.next()) as Call[]).map((m) => m.method)).toEqual(['a', 'b']);
    const errors = [await calls[0]!.error(), await calls[1]!.error()];
    for (const error of errors) expect(error).toBeInstanceOf(ProtocolError);
    expect(errors.map((error) => (error as Error).message)).toEqual([
      'Request 1 (a) got no answer in the response to it',
      'Request 2 (b) got no answer in the response to it',
    ]);
  });
});

describe('Slots', () => {
  it('gives a slot back once, however often the call that took it ends', () => {
    const slots = new Slots(1);
    const started: string[] = [];
    const releaseA = slots.acquire(() => started.push('a'));
    slots.acquire(() => started.push('b'));
    slots.acquire(() => started.push('c'));
    expect(started).toEqual(['a']);
    releaseA();
    expect(started).toEqual(['a', 'b']);
    releaseA();
    expect(started).toEqual(['a', 'b']);
  });

  it('leaves the queue once, however often a call that never started ends', () => {
    const slots = new Slots(1);
    const started: string[] = [];
    const releaseA = slots.acquire(() => started.push('a'));
    const releaseB = slots.acquire(() => started.push('b'));
    slots.acquire(() => started.push('c'));
    releaseB();
    releaseB();
    expect(started).toEqual(['a']);
    releaseA();
    expect(started).toEqual(['a', 'c']);
  });

  it('starts every waiting call at once on releaseAll, whatever the limit', () => {
    const slots = new Slots(1);
    const started: string[] = [];
    slots.acquire(() => started.push('a'));
    slots.acquire(() => started.push('b'));
    slots.acquire(() => started.push('c'));
    slots.releaseAll();
    expect(started).toEqual(['a', 'b', 'c']);
  });

  it('fail the calls waiting for a slot when the peer closes, even with no call in flight to free one', async () => {
    const { peer, raw } = await peerWithRawServer({ requestConcurrency: 0 });
    const calls = ['a', 'b'].map((method) => observe(peer.request$(method)));
    await settle();
    expect(raw.received).toEqual([]);
    await peer.close();
    for (const call of calls) expect(call.ending).toMatchObject({ kind: 'error' });
    expect(await calls[0]!.error()).toBeInstanceOf(ConnectionClosedError);
    expect(((await calls[1]!.error()) as Error).message).toBe('Request 2 (b) not sent: the peer is closed');
  });
});

describe('the proxy describes itself', () => {
  /* eslint-disable @typescript-eslint/no-explicit-any -- an untyped proxy's paths are index signatures */
  function recording() {
    const sent: string[] = [];
    const target: Pick<Peer, 'request$' | 'notify'> = {
      request$: (method: string) => {
        sent.push(method);
        return new Observable();
      },
      notify: (method: string) => void sent.push(method),
    };
    // A stand-in for a peer: the proxy uses nothing but request$ and notify.
    return { proxy: createProxy(target as Peer) as any, sent };
  }

  it('through toString() and valueOf(), called by hand', () => {
    const { proxy, sent } = recording();
    expect(proxy.users.get.toString()).toBe('[JSON-RPC proxy users.get]');
    expect(proxy.users.valueOf()).toBe('[JSON-RPC proxy users]');
    expect(proxy.toJSON()).toBe('[JSON-RPC proxy (root)]');
    expect(sent).toEqual([]);
  });

  it('names the root', () => {
    const { proxy } = recording();
    expect(String(proxy)).toBe('[JSON-RPC proxy (root)]');
    expect(inspect(proxy)).toBe('[JSON-RPC proxy (root)]');
  });

  it('through Symbol.toPrimitive and the util.inspect symbol, read from the proxy itself', () => {
    const { proxy, sent } = recording();
    const node = proxy.a.b as Record<symbol, unknown>;
    const toPrimitive = node[Symbol.toPrimitive] as (hint: string) => unknown;
    const custom = node[Symbol.for('nodejs.util.inspect.custom')] as () => unknown;
    expect(typeof toPrimitive).toBe('function');
    expect(toPrimitive('number')).toBe('[JSON-RPC proxy a.b]');
    expect(typeof custom).toBe('function');
    expect(custom()).toBe('[JSON-RPC proxy a.b]');
    expect(sent).toEqual([]);
  });
  /* eslint-enable @typescript-eslint/no-explicit-any */
});

describe('leftovers of the handler side', () => {
  it('handle() refuses a method that is not a string, saying so', async () => {
    const { peer } = await peerWithRawServer();
    expect(() => peer.handle(5 as unknown as string, () => 1)).toThrow(
      new TypeError('handle(): the method must be a non-empty string'),
    );
  });

  it("a handler's progress() sends nothing for a call that carries no token", async () => {
    const { peer, raw } = await peerWithRawServer();
    peer.handle('work', (_params, { progress }) => {
      progress(50);
      return 'done';
    });
    raw.send(request(1, 'work', {}));
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', id: 1, result: 'done' });
    await settle();
    expect(raw.received).toHaveLength(1);
  });
});
