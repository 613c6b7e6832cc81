// The answering side over a memory link, the caller's end driven by hand: the handler concurrency
// limit, calls that share an id, the deadline, requests$ answers, and the drain of close(), in
// virtual time where time matters. (Written to kill mutants of answer.ts; see docs/mutation.md.)
import { Subject, VirtualAction, VirtualTimeScheduler } from 'rxjs';
import { generic, HandlerError } from 'rx-jsonrpc';
import { closeAll, peerWithRawServer } from '../helpers/memory-peers';
import { observe } from '../helpers/observe';
import { settle } from '../helpers/raw-end';

afterEach(closeAll);

const request = (id: number | null, method = 'work', params: unknown = []) => ({ jsonrpc: '2.0', id, method, params });

describe('handlerConcurrency', () => {
  it('runs at most that many handlers at once, starting the waiting ones in order as each ends', async () => {
    const { peer, raw } = await peerWithRawServer({ handlerConcurrency: 2 });
    const started: number[] = [];
    const finish = new Map<number, Subject<string>>();
    peer.handle('work', ([n]: [number]) => {
      started.push(n);
      const done = new Subject<string>();
      finish.set(n, done);
      return done;
    });
    for (const n of [1, 2, 3, 4]) raw.send(request(n, 'work', [n]));
    await settle();
    expect(started).toEqual([1, 2]);
    expect(peer.answeringCount).toBe(4);
    finish.get(1)!.next('one');
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', id: 1, result: 'one' });
    expect(started).toEqual([1, 2, 3]);
    finish.get(3)!.next('three');
    finish.get(2)!.next('two');
    await settle();
    expect(started).toEqual([1, 2, 3, 4]);
    finish.get(4)!.next('four');
    await settle();
    expect(peer.answeringCount).toBe(0);
    // Every slot is free again: two new calls start at once.
    raw.send(request(5, 'work', [5]));
    raw.send(request(6, 'work', [6]));
    await settle();
    expect(started).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('never starts a waiting call that its caller cancelled', async () => {
    const { peer, raw } = await peerWithRawServer({ handlerConcurrency: 1, dialect: generic() });
    const started: number[] = [];
    const first = new Subject<string>();
    peer.handle('work', ([n]: [number]) => {
      started.push(n);
      return n === 1 ? first : 'quick';
    });
    raw.send(request(1, 'work', [1]));
    raw.send(request(2, 'work', [2]));
    raw.send({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id: 2 } });
    await settle();
    expect(peer.answeringCount).toBe(1);
    first.next('one');
    await settle();
    expect(started).toEqual([1]);
    expect(peer.answeringCount).toBe(0);
  });

  it('counts a handler that answers at once as ended', async () => {
    const { peer, raw } = await peerWithRawServer({ handlerConcurrency: 1 });
    peer.handle('work', () => 'at once');
    for (const n of [1, 2, 3]) raw.send(request(n));
    expect(await raw.next()).toMatchObject({ id: 1, result: 'at once' });
    expect(await raw.next()).toMatchObject({ id: 2, result: 'at once' });
    expect(await raw.next()).toMatchObject({ id: 3, result: 'at once' });
    expect(peer.answeringCount).toBe(0);
  });
});

describe('two calls with the same id in flight', () => {
  it('a cancel reaches the one still running once the other has ended', async () => {
    const { peer, raw } = await peerWithRawServer({ dialect: generic() });
    const aborted: string[] = [];
    const first = new Subject<string>();
    peer.handle('work', ([name]: [string], { signal }) => {
      signal.addEventListener('abort', () => aborted.push(name));
      return name === 'first' ? first : new Subject<string>();
    });
    raw.send(request(7, 'work', ['first']));
    raw.send(request(7, 'work', ['second']));
    await settle();
    first.next('done');
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', id: 7, result: 'done' });
    raw.send({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id: 7 } });
    await settle();
    expect(aborted).toEqual(['second']);
    expect(peer.answeringCount).toBe(0);
  });
});

describe('the handler deadline', () => {
  const virtual = () => new VirtualTimeScheduler(VirtualAction, Infinity);

  it('aborts the handler with a reason that says so', async () => {
    const scheduler = virtual();
    const { peer, raw } = await peerWithRawServer({ handlerTimeout: 50, scheduler });
    let reason: unknown;
    peer.handle('work', (_params, { signal }) => {
      signal.addEventListener('abort', () => (reason = signal.reason));
      return new Subject<string>();
    });
    raw.send(request(1));
    await settle();
    scheduler.flush();
    expect(await raw.next()).toEqual({
      jsonrpc: '2.0',
      id: 1,
      error: { code: -32001, message: 'Request timed out after 50 ms' },
    });
    expect((reason as Error).message).toBe('the handler timed out');
  });

  it('is never armed with a handlerTimeout of Infinity', async () => {
    const scheduler = virtual();
    const { peer, raw } = await peerWithRawServer({ handlerTimeout: Infinity, scheduler });
    peer.handle('work', () => new Subject<string>());
    raw.send(request(1));
    await settle();
    scheduler.flush();
    await settle();
    expect(raw.received).toEqual([]);
    expect(peer.answeringCount).toBe(1);
  });

  it('is cancelled when requests$ answers in time', async () => {
    const scheduler = virtual();
    const { peer, raw } = await peerWithRawServer({ handlerTimeout: 50, scheduler });
    const reported = observe(peer.errors$);
    peer.requests$.subscribe((incoming) => incoming.respond('served'));
    raw.send(request(1, 'anything'));
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', id: 1, result: 'served' });
    scheduler.flush();
    await settle();
    expect(reported.values).toEqual([]);
    expect(raw.received).toHaveLength(1);
  });

  it('reports a handler that ran out of time, naming it', async () => {
    const scheduler = virtual();
    const { peer, raw } = await peerWithRawServer({ handlerTimeout: 50, scheduler });
    const reported = observe(peer.errors$);
    peer.handle('work', () => new Subject<string>());
    raw.send(request(3));
    await settle();
    scheduler.flush();
    await raw.next();
    expect(reported.values).toHaveLength(1);
    expect(reported.values[0]).toBeInstanceOf(HandlerError);
    expect(reported.values[0]!.message).toBe('Handler of work (request 3) timed out after 50 ms');
  });
});

describe('requests$', () => {
  it('answers null for a respond() without a result', async () => {
    const { peer, raw } = await peerWithRawServer();
    peer.requests$.subscribe((incoming) => incoming.respond(undefined));
    raw.send(request(1, 'anything'));
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', id: 1, result: null });
  });
});

describe('when the link drops', () => {
  it('aborts the handlers with a reason that says so, and answers nothing', async () => {
    const { peer, raw, link } = await peerWithRawServer();
    let reason: unknown;
    peer.handle('work', (_params, { signal }) => {
      signal.addEventListener('abort', () => (reason = signal.reason));
      return new Subject<string>();
    });
    raw.send(request(1));
    await settle();
    link.drop(1006);
    await settle();
    expect((reason as Error).message).toBe('the link to the caller was lost');
    expect(peer.answeringCount).toBe(0);
  });
});

describe('close with a drain time', () => {
  it('closes at once when no call is being answered', async () => {
    const scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);
    const { peer } = await peerWithRawServer({ scheduler });
    await peer.close({ drain: 1_000 });
    expect(await new Promise((resolve) => peer.state$.subscribe((s) => resolve(s.status)))).toBe('closed');
  });

  it('waits for every call being answered, then closes, without waiting for the drain time', async () => {
    const scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);
    const { peer, raw } = await peerWithRawServer({ scheduler });
    const finish = [new Subject<string>(), new Subject<string>()];
    peer.handle('work', ([n]: [number]) => finish[n]!);
    raw.send(request(1, 'work', [0]));
    raw.send(request(2, 'work', [1]));
    await settle();
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
  });
});
