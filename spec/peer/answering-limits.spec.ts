import { Subject, VirtualAction, VirtualTimeScheduler } from 'rxjs';
import { generic, ProtocolError, ServerErrorCodes, type RpcError } from 'rx-jsonrpc';
import { closeAll, peerWithRawServer } from '../helpers/memory-peers';
import { settle } from '../helpers/raw-end';

afterEach(closeAll);

const request = (id: number, method = 'slow', params: unknown = []) => ({ jsonrpc: '2.0', id, method, params });
const tooMany = (id: number) => ({
  jsonrpc: '2.0',
  id,
  error: { code: ServerErrorCodes.LimitExceeded, message: 'Too many calls in progress' },
});

/** A peer whose `slow` calls wait until `release` emits. */
async function slowServer(options: Parameters<typeof peerWithRawServer>[0]) {
  const setup = await peerWithRawServer(options);
  const release = new Subject<string>();
  setup.peer.handle('slow', () => release);
  const reported: RpcError[] = [];
  setup.peer.errors$.subscribe((error) => reported.push(error));
  return { ...setup, release, reported };
}

describe('maxAnswering', () => {
  it('answers -32005 to a request past the limit, reports the first refusal once, and takes calls again once one ends', async () => {
    const { peer, raw, release, reported } = await slowServer({ maxAnswering: 2 });
    raw.send(request(1));
    raw.send(request(2));
    raw.send(request(3));
    raw.send(request(4));
    expect(await raw.next()).toEqual(tooMany(3));
    expect(await raw.next()).toEqual(tooMany(4));
    expect(peer.answeringCount).toBe(2);
    expect(reported).toHaveLength(1);
    expect(reported[0]).toBeInstanceOf(ProtocolError);
    expect(reported[0]!.message).toMatch(
      /^Refused request 3 \(slow\) and the calls after it: 2 calls in \d+ characters/,
    );
    release.next('done');
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', id: 1, result: 'done' });
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', id: 2, result: 'done' });
    raw.send(request(5));
    await settle();
    expect(peer.answeringCount).toBe(1);
  });

  it('counts calls waiting for handlerConcurrency as well as running ones', async () => {
    const { peer, raw } = await slowServer({ maxAnswering: 3, handlerConcurrency: 1 });
    for (let id = 1; id <= 4; id++) raw.send(request(id));
    expect(await raw.next()).toEqual(tooMany(4));
    expect(peer.answeringCount).toBe(3);
  });

  it('takes every member of a batch within the limit and refuses the rest', async () => {
    const { raw, release } = await slowServer({ maxAnswering: 2 });
    raw.send([request(1), request(2), request(3)]);
    await settle();
    release.next('ok');
    expect(await raw.next()).toEqual([
      tooMany(3),
      { jsonrpc: '2.0', id: 1, result: 'ok' },
      { jsonrpc: '2.0', id: 2, result: 'ok' },
    ]);
  });

  it('drops a notification past the limit without running its handler', async () => {
    const { peer, raw, reported } = await slowServer({ maxAnswering: 1 });
    const seen: unknown[] = [];
    peer.handle('note', (params) => void seen.push(params));
    raw.send(request(1));
    raw.send({ jsonrpc: '2.0', method: 'note', params: ['dropped'] });
    await settle();
    expect(seen).toEqual([]);
    expect(reported.map((e) => e.message)).toEqual([expect.stringMatching(/^Refused notification \(note\)/)]);
  });
});

describe('maxAnsweringBytes', () => {
  it('refuses a call whose frame would pass the budget while others are held', async () => {
    const { raw, release } = await slowServer({ maxAnsweringBytes: 200 });
    raw.send(request(1, 'slow', ['x'.repeat(100)]));
    raw.send(request(2, 'slow', ['x'.repeat(100)]));
    expect(await raw.next()).toEqual(tooMany(2));
    release.next('ok');
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', id: 1, result: 'ok' });
  });

  it('always takes one frame when nothing else is held, however large', async () => {
    const { raw, release } = await slowServer({ maxAnsweringBytes: 10 });
    raw.send(request(1, 'slow', ['x'.repeat(1_000)]));
    await settle();
    release.next('ok');
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', id: 1, result: 'ok' });
  });

  it('gives a frame back once its last call ends', async () => {
    const { peer, raw, release } = await slowServer({ maxAnsweringBytes: 400 });
    const big = (id: number) => request(id, 'slow', ['x'.repeat(100)]);
    raw.send(big(1));
    raw.send(big(2));
    raw.send(big(3));
    expect(await raw.next()).toEqual(tooMany(3));
    release.next('ok');
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', id: 1, result: 'ok' });
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', id: 2, result: 'ok' });
    raw.send(big(4));
    raw.send(big(5));
    await settle();
    expect(peer.answeringCount).toBe(2);
    expect(raw.received).toHaveLength(3);
  });
});

describe('notification handlers', () => {
  it('wait for handlerConcurrency like requests, in order', async () => {
    const { peer, raw } = await peerWithRawServer({ handlerConcurrency: 1 });
    const started: string[] = [];
    const gates = new Map<string, Subject<void>>();
    peer.handle('note', ([name]: [string]) => {
      started.push(name);
      const gate = new Subject<void>();
      gates.set(name, gate);
      return gate;
    });
    raw.send({ jsonrpc: '2.0', method: 'note', params: ['a'] });
    raw.send({ jsonrpc: '2.0', method: 'note', params: ['b'] });
    await settle();
    expect(started).toEqual(['a']);
    gates.get('a')!.next();
    expect(started).toEqual(['a', 'b']);
  });

  it('are given up at handlerTimeout: their signal aborts and a HandlerError is reported', () => {
    const scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);
    return (async () => {
      const { peer, raw } = await peerWithRawServer({ handlerTimeout: 500, scheduler });
      const reported: RpcError[] = [];
      peer.errors$.subscribe((error) => reported.push(error));
      let signal: AbortSignal | undefined;
      peer.handle('note', (_params, context) => {
        signal = context.signal;
        return new Promise(() => undefined);
      });
      raw.send({ jsonrpc: '2.0', method: 'note' });
      await settle();
      expect(signal?.aborted).toBe(false);
      scheduler.flush();
      expect(signal?.aborted).toBe(true);
      expect(reported.map((e) => [e.name, e.message])).toEqual([
        ['HandlerError', 'Handler of note (notification) timed out after 500 ms'],
      ]);
      expect(raw.received).toEqual([]);
    })();
  });
});

describe('calls waiting for handlerConcurrency when the link drops', () => {
  it('are given up without ever starting', async () => {
    const { peer, raw, link } = await peerWithRawServer({ handlerConcurrency: 1 });
    const started: number[] = [];
    peer.handle('slow', ([n]: [number]) => {
      started.push(n);
      return new Subject<never>();
    });
    for (let id = 1; id <= 5; id++) raw.send(request(id, 'slow', [id]));
    await settle();
    expect(started).toEqual([1]);
    link.drop(1006);
    await settle();
    expect(started).toEqual([1]);
    expect(peer.answeringCount).toBe(0);
  });
});

describe('handlerConcurrency', () => {
  const cancel = (id: number) => ({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id } });

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

  it('counts a handler that answers at once as ended', async () => {
    const { peer, raw } = await peerWithRawServer({ handlerConcurrency: 1 });
    peer.handle('work', () => 'at once');
    for (const n of [1, 2, 3]) raw.send(request(n, 'work'));
    expect(await raw.next()).toMatchObject({ id: 1, result: 'at once' });
    expect(await raw.next()).toMatchObject({ id: 2, result: 'at once' });
    expect(await raw.next()).toMatchObject({ id: 3, result: 'at once' });
    expect(peer.answeringCount).toBe(0);
  });

  describe('when a waiting call is cancelled', () => {
    it('never starts it', async () => {
      const { peer, raw } = await peerWithRawServer({ handlerConcurrency: 1, dialect: generic() });
      const started: number[] = [];
      const first = new Subject<string>();
      peer.handle('work', ([n]: [number]) => {
        started.push(n);
        return n === 1 ? first : 'quick';
      });
      raw.send(request(1, 'work', [1]));
      raw.send(request(2, 'work', [2]));
      raw.send(cancel(2));
      await settle();
      expect(peer.answeringCount).toBe(1);
      first.next('one');
      await settle();
      expect(started).toEqual([1]);
      expect(peer.answeringCount).toBe(0);
    });

    it('keeps the slot of the running call taken: the next call still waits', async () => {
      const { peer, raw } = await peerWithRawServer({ handlerConcurrency: 1, dialect: generic() });
      const started: number[] = [];
      const first = new Subject<string>();
      peer.handle('work', ([n]: [number]) => {
        started.push(n);
        return n === 1 ? first : `answer ${n}`;
      });
      raw.send(request(1, 'work', [1]));
      raw.send(request(2, 'work', [2]));
      raw.send(cancel(2));
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
});
