import { firstValueFrom, forkJoin, lastValueFrom, toArray, VirtualTimeScheduler } from 'rxjs';
import {
  ConnectionClosedError,
  isRetryable,
  JsonRpcError,
  ProtocolError,
  RequestTimeoutError,
  type JsonRpcParams,
  type RpcError,
} from 'rx-jsonrpc';
import { closeAll, peerPair, peerWithRawServer } from '../helpers/memory-peers';
import { observe } from '../helpers/observe';
import { settle } from '../helpers/raw-end';

afterEach(closeAll);

const ignore = () => undefined;

describe('request$', () => {
  it('sends nothing until subscribed', async () => {
    const { peer, raw } = await peerWithRawServer();
    peer.request$('math.sum', [1, 2]);
    await settle();
    expect(raw.received).toEqual([]);
  });

  it('sends one request per subscription, with increasing integer ids', async () => {
    const { peer, raw } = await peerWithRawServer();
    const call = peer.request$('math.sum', [1, 2]);
    call.subscribe({ error: ignore });
    call.subscribe({ error: ignore });
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', id: 1, method: 'math.sum', params: [1, 2] });
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', id: 2, method: 'math.sum', params: [1, 2] });
  });

  it('accepts params of an interface type', async () => {
    interface Order {
      item: string;
      quantity: number;
    }
    const order: Order = { item: 'tea', quantity: 2 };
    const { peer, raw } = await peerWithRawServer();
    peer.request$('order.place', order).subscribe({ error: ignore });
    expect(await raw.next()).toMatchObject({ params: { item: 'tea', quantity: 2 } });
  });

  it('omits params when none are given', async () => {
    const { peer, raw } = await peerWithRawServer();
    peer.request$('ping').subscribe({ error: ignore });
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', id: 1, method: 'ping' });
  });

  it('emits the result once and completes', async () => {
    const { client, server } = peerPair();
    server.handle('math.sum', ([a, b]: number[]) => a! + b!);
    expect(await lastValueFrom(client.request$('math.sum', [1, 2]).pipe(toArray()))).toEqual([3]);
    expect(client.pendingCount).toBe(0);
  });

  it('errors with JsonRpcError naming the call, carrying the remote code, message and data', async () => {
    const { peer, raw } = await peerWithRawServer();
    const result = firstValueFrom(peer.request$('user.get', [7]));
    await raw.next();
    raw.send({ jsonrpc: '2.0', id: 1, error: { code: 404, message: 'No user 7', data: { id: 7 } } });
    const error = await result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JsonRpcError);
    expect(error).toMatchObject({
      name: 'JsonRpcError',
      message: 'Request 1 (user.get) failed: No user 7 (404)',
      code: 404,
      remoteMessage: 'No user 7',
      data: { id: 7 },
      method: 'user.get',
      id: 1,
    });
    expect(isRetryable(error)).toBe(false);
    expect(peer.pendingCount).toBe(0);
  });

  describe('with many calls in flight', () => {
    it('routes answers that come back in any order to their own call', async () => {
      const { peer, raw } = await peerWithRawServer();
      const calls = Array.from({ length: 500 }, (_, i) => firstValueFrom(peer.request$<number>('echo', [i])));
      const requests: { id: number; params: [number] }[] = [];
      for (let i = 0; i < 500; i++) requests.push((await raw.next()) as (typeof requests)[number]);
      for (const request of requests.reverse()) {
        raw.send({ jsonrpc: '2.0', id: request.id, result: request.params[0] * 10 });
      }
      expect(await Promise.all(calls)).toEqual(Array.from({ length: 500 }, (_, i) => i * 10));
      expect(peer.pendingCount).toBe(0);
    });

    it('answers forkJoin of several calls', async () => {
      const { client, server } = peerPair();
      server.handle('double', ([n]: number[]) => n! * 2);
      const results = await firstValueFrom(forkJoin([1, 2, 3].map((n) => client.request$('double', [n]))));
      expect(results).toEqual([2, 4, 6]);
    });
  });

  describe('when unsubscribed before the answer', () => {
    it('forgets the call and drops its late answer quietly', async () => {
      const { peer, raw } = await peerWithRawServer();
      const reported: RpcError[] = [];
      peer.errors$.subscribe((e) => reported.push(e));
      const values: unknown[] = [];
      const subscription = peer.request$('slow').subscribe((v) => values.push(v));
      await raw.next();
      expect(peer.pendingCount).toBe(1);
      subscription.unsubscribe();
      expect(peer.pendingCount).toBe(0);
      raw.send({ jsonrpc: '2.0', id: 1, result: 'late' });
      await settle();
      expect(values).toEqual([]);
      expect(reported).toEqual([]);
    });

    it('sends the configured cancel notification', async () => {
      const { peer, raw } = await peerWithRawServer({
        cancel: { method: '$/cancelRequest', params: (id) => ({ id }) },
      });
      const subscription = peer.request$('slow').subscribe();
      await raw.next();
      subscription.unsubscribe();
      expect(await raw.next()).toEqual({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id: 1 } });
    });

    it('sends no cancel notification for a call already answered', async () => {
      const { peer, raw } = await peerWithRawServer({
        cancel: { method: '$/cancelRequest', params: (id) => ({ id }) },
      });
      const result = firstValueFrom(peer.request$('fast'));
      await raw.next();
      raw.send({ jsonrpc: '2.0', id: 1, result: true });
      await result;
      peer.request$('next').subscribe({ error: ignore });
      expect(await raw.next()).toMatchObject({ id: 2, method: 'next' });
    });
  });

  describe('timeouts', () => {
    it('errors with RequestTimeoutError after the peer timeout and forgets the call', async () => {
      const { peer, raw } = await peerWithRawServer({ timeout: 20 });
      const error = await firstValueFrom(peer.request$('slow')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RequestTimeoutError);
      expect(error).toMatchObject({
        message: 'Request 1 (slow) timed out after 20 ms',
        id: 1,
        method: 'slow',
        timeout: 20,
      });
      expect(peer.pendingCount).toBe(0);
      expect(raw.received).toHaveLength(1);
    });

    it('lets each call override the peer timeout', async () => {
      const { peer } = await peerWithRawServer({ timeout: 60_000 });
      const error = await firstValueFrom(peer.request$('slow', [], { timeout: 10 })).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'RequestTimeoutError', timeout: 10 });
    });

    it('waits forever with a timeout of 0 or Infinity', async () => {
      const { peer, raw } = await peerWithRawServer({ timeout: 0 });
      const zero = firstValueFrom(peer.request$('slow'));
      const infinite = firstValueFrom(peer.request$('slow', undefined, { timeout: Infinity }));
      await raw.next();
      await raw.next();
      await new Promise((resolve) => setTimeout(resolve, 30));
      raw.send([
        { jsonrpc: '2.0', id: 1, result: 'a' },
        { jsonrpc: '2.0', id: 2, result: 'b' },
      ]);
      expect(await Promise.all([zero, infinite])).toEqual(['a', 'b']);
    });

    it('runs on the scheduler given in the options', async () => {
      const scheduler = new VirtualTimeScheduler();
      const { peer } = await peerWithRawServer({ timeout: 5_000, scheduler });
      const errors: unknown[] = [];
      peer.request$('slow').subscribe({ error: (e: unknown) => errors.push(e) });
      expect(errors).toEqual([]);
      scheduler.flush();
      expect(errors).toEqual([expect.any(RequestTimeoutError)]);
    });

    it('sends the cancel notification when the call times out', async () => {
      const { peer, raw } = await peerWithRawServer({
        timeout: 10,
        cancel: { method: 'cancel', params: (id) => [id] },
      });
      await firstValueFrom(peer.request$('slow')).catch(() => undefined);
      await raw.next();
      expect(await raw.next()).toEqual({ jsonrpc: '2.0', method: 'cancel', params: [1] });
    });
  });

  describe('ids', () => {
    it('uses the custom generator', async () => {
      let n = 0;
      const { peer, raw } = await peerWithRawServer({ nextId: () => `req-${++n}` });
      const result = firstValueFrom(peer.request$('a'));
      expect(await raw.next()).toMatchObject({ id: 'req-1' });
      raw.send({ jsonrpc: '2.0', id: 'req-1', result: 'ok' });
      expect(await result).toBe('ok');
    });

    it('tells 1 from "1"', async () => {
      const { peer, raw } = await peerWithRawServer();
      const reported: RpcError[] = [];
      peer.errors$.subscribe((e) => reported.push(e));
      const result = firstValueFrom(peer.request$('a'));
      await raw.next();
      raw.send({ jsonrpc: '2.0', id: '1', result: 'wrong' });
      await settle();
      expect(peer.pendingCount).toBe(1);
      expect(reported[0]).toBeInstanceOf(ProtocolError);
      expect(reported[0]!.message).toBe('Response for unknown id "1"');
      raw.send({ jsonrpc: '2.0', id: 1, result: 'right' });
      expect(await result).toBe('right');
    });

    it('refuses an id that is already in flight', async () => {
      const { peer } = await peerWithRawServer({ nextId: () => 'same' });
      peer.request$('a').subscribe({ error: ignore });
      const error = await firstValueFrom(peer.request$('b')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProtocolError);
      expect((error as Error).message).toBe('Request same (b) not sent: the id is in flight');
      expect(peer.pendingCount).toBe(1);
    });
  });

  describe('with bad arguments', () => {
    it.each([
      [
        'params that are neither array nor object',
        'x',
        5,
        'Request (x) not sent: params must be an array or an object, got number',
      ],
      ['null params', 'x', null, 'Request (x) not sent: params must be an array or an object, got null'],
      ['an empty method', '', [], 'Request () not sent: the method must be a non-empty string, got '],
      [
        'BigInt params',
        'x',
        [10n],
        'Request 1 (x) cannot be serialised to JSON: Do not know how to serialize a BigInt',
      ],
    ])('errors with ProtocolError for %s and sends nothing', async (_, method, params, message) => {
      const { peer, raw } = await peerWithRawServer();
      const error = await firstValueFrom(peer.request$(method, params as never)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProtocolError);
      expect((error as Error).message).toBe(message);
      await settle();
      expect(raw.received).toEqual([]);
      expect(peer.pendingCount).toBe(0);
    });

    it('errors with ProtocolError for cyclic params, with the TypeError as cause', async () => {
      const { peer } = await peerWithRawServer();
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      const error = await firstValueFrom(peer.request$('x', cyclic)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProtocolError);
      expect((error as Error).message).toMatch(/^Request 1 \(x\) cannot be serialised to JSON: .*circular/i);
      expect((error as Error).cause).toBeInstanceOf(TypeError);
    });
  });

  describe('with onId', () => {
    it('tells onId the id each call is sent with, before it is sent', async () => {
      const { peer, raw } = await peerWithRawServer();
      const ids: unknown[] = [];
      const onId = (id: unknown) => ids.push(id);
      peer.request$('a', [], { onId }).subscribe({ error: ignore });
      void peer.request('b', [], { onId }).catch(ignore);
      expect(ids).toEqual([1, 2]);
      expect(await raw.next()).toMatchObject({ id: 1, method: 'a' });
      expect(await raw.next()).toMatchObject({ id: 2, method: 'b' });
    });
  });

  describe('with share', () => {
    type Sent = { id: number; params: unknown };

    it('sends one call for subscribers of the same method and params, and a new one once it ends', async () => {
      const { peer, raw } = await peerWithRawServer();
      const params: JsonRpcParams = { q: 1 };
      const first = observe(peer.request$('search', params, { share: true }));
      const second = observe(peer.request$('search', { q: 1 }, { share: true }));
      const other = observe(peer.request$('search', { q: 2 }, { share: true }));
      const unshared = observe(peer.request$('search', { q: 1 }));
      const calls = [(await raw.next()) as Sent, (await raw.next()) as Sent, (await raw.next()) as Sent];
      expect(calls.map((c) => c.params)).toEqual([{ q: 1 }, { q: 2 }, { q: 1 }]);
      for (const call of calls) raw.send({ jsonrpc: '2.0', id: call.id, result: call.id });
      await Promise.all([first.ended, second.ended, other.ended, unshared.ended]);
      expect(first.values).toEqual([calls[0]!.id]);
      expect(second.values).toEqual([calls[0]!.id]);
      expect(other.values).toEqual([calls[1]!.id]);
      expect(unshared.values).toEqual([calls[2]!.id]);
      // Ended: the next shared call is a new one.
      const again = peer.request('search', { q: 1 }, { share: true });
      const next = (await raw.next()) as Sent;
      raw.send({ jsonrpc: '2.0', id: next.id, result: 'again' });
      await expect(again).resolves.toBe('again');
    });

    it('sends a call with params that cannot be serialised on its own, to fail as any call would', async () => {
      const { peer } = await peerWithRawServer();
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      const error = await observe(peer.request$('search', cyclic, { share: true })).error();
      expect(error).toBeInstanceOf(ProtocolError);
    });
  });

  describe('on a closed peer', () => {
    it('errors with a ConnectionClosedError that is not retryable', async () => {
      const { peer } = await peerWithRawServer();
      peer.close();
      const error = await firstValueFrom(peer.request$('x')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConnectionClosedError);
      expect(error).toMatchObject({ message: 'Request (x) not sent: the peer is closed', retryable: false });
    });
  });
});

describe('request', () => {
  it('resolves with the result', async () => {
    const { client, server } = peerPair();
    server.handle('hello', ({ name }: { name: string }) => `hello ${name}`);
    await expect(client.request('hello', { name: 'ada' })).resolves.toBe('hello ada');
  });

  it('rejects with the remote error', async () => {
    const { client } = peerPair();
    await expect(client.request('missing')).rejects.toMatchObject({
      name: 'JsonRpcError',
      code: -32601,
      message: 'Request 1 (missing) failed: Method not found (-32601)',
      remoteMessage: 'Method not found',
    });
  });
});

describe('notify', () => {
  it('sends a notification without an id', async () => {
    const { peer, raw } = await peerWithRawServer();
    peer.notify('log', ['hi']);
    peer.notify('ping');
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', method: 'log', params: ['hi'] });
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', method: 'ping' });
    expect(peer.pendingCount).toBe(0);
  });

  it('throws ProtocolError for params that cannot be sent', async () => {
    const { peer, raw } = await peerWithRawServer();
    expect(() => peer.notify('log', 'text' as never)).toThrow(
      new ProtocolError('Notification (log) not sent: params must be an array or an object, got string'),
    );
    expect(() => peer.notify('log', { n: 1n })).toThrow(/^Notification \(log\) cannot be serialised to JSON/);
    await settle();
    expect(raw.received).toEqual([]);
  });

  it('throws ConnectionClosedError on a closed peer', async () => {
    const { peer } = await peerWithRawServer();
    peer.close();
    expect(() => peer.notify('log')).toThrow(ConnectionClosedError);
  });
});
