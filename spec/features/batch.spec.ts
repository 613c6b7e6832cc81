// batch$() and batch(): the members of one batch sent as one array frame, each outcome in the
// order of the members, a refusal of the whole batch, and how it meets automatic batching.
import { firstValueFrom, forkJoin, lastValueFrom, switchMap, timer, toArray } from 'rxjs';
import { batchingCalls, batch, batch$, connect, memoryPair, ProtocolError } from 'rx-jsonrpc';
import { closeAll, peerPair, peerWithRawServer } from '../helpers/memory-peers';
import { observe } from '../helpers/observe';
import { rawEnd, settle } from '../helpers/raw-end';

afterEach(closeAll);

type Frame = { id?: number; method: string; params?: unknown }[];

describe('batch$', () => {
  it('sends the requests and notifications as one array frame', async () => {
    const { peer, raw } = await peerWithRawServer();
    batch$(peer, (b) => [b.request('math.sum', [1, 2]), b.notify('log', ['x']), b.request('ping')]).subscribe({
      error: () => undefined,
    });
    expect(await raw.next()).toEqual([
      { jsonrpc: '2.0', id: 1, method: 'math.sum', params: [1, 2] },
      { jsonrpc: '2.0', method: 'log', params: ['x'] },
      { jsonrpc: '2.0', id: 2, method: 'ping' },
    ]);
    await settle();
    expect(raw.received).toHaveLength(1);
  });

  it('emits every outcome in the order of the members, whatever the order of the answers', async () => {
    const { peer, raw } = await peerWithRawServer();
    const results = firstValueFrom(
      batch$(peer, (b) => [b.request('a'), b.notify('n'), b.request('b'), b.request('c')]),
    );
    await raw.next();
    raw.send([
      { jsonrpc: '2.0', id: 3, result: 'C' },
      { jsonrpc: '2.0', id: 2, error: { code: 7, message: 'B failed' } },
      { jsonrpc: '2.0', id: 1, result: 'A' },
    ]);
    const [a, n, b, c] = await results;
    expect(a).toEqual({ ok: true, value: 'A' });
    expect(n).toEqual({ ok: true, value: undefined });
    expect(b).toMatchObject({
      ok: false,
      error: { name: 'JsonRpcError', code: 7, message: 'Request 2 (b) failed: B failed (7)' },
    });
    expect(c).toEqual({ ok: true, value: 'C' });
    expect(peer.pendingCount).toBe(0);
  });

  it('fails a member the answer left out with ProtocolError, without waiting', async () => {
    const { peer, raw } = await peerWithRawServer({ timeout: 0 });
    const results = firstValueFrom(batch$(peer, (b) => [b.request('a'), b.request('b')]));
    await raw.next();
    raw.send([{ jsonrpc: '2.0', id: 1, result: 'A' }]);
    const [a, b] = await results;
    expect(a).toEqual({ ok: true, value: 'A' });
    expect(b.ok).toBe(false);
    expect(!b.ok && b.error).toBeInstanceOf(ProtocolError);
    expect(!b.ok && b.error.message).toBe("Request 2 (b) got no answer in its batch's answer");
    expect(peer.pendingCount).toBe(0);
  });

  describe('refused with one error object without an id', () => {
    const refusal = { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Batches are not supported' } };

    it('fails the oldest unanswered batch only; the next batch is answered as usual', async () => {
      const { peer, raw } = await peerWithRawServer({ timeout: 0 });
      const first = firstValueFrom(batch$(peer, (b) => [b.request('a'), b.request('b')]));
      await raw.next();
      const second = firstValueFrom(batch$(peer, (b) => [b.request('c'), b.request('d')]));
      await raw.next();
      raw.send(refusal);
      const [a, b] = await first;
      expect(a).toMatchObject({ ok: false, error: { name: 'JsonRpcError', code: -32600 } });
      expect(b).toMatchObject({ ok: false, error: { name: 'JsonRpcError', code: -32600 } });
      expect(peer.pendingCount).toBe(2);
      raw.send([
        { jsonrpc: '2.0', id: 3, result: 'C' },
        { jsonrpc: '2.0', id: 4, result: 'D' },
      ]);
      expect(await second).toEqual([
        { ok: true, value: 'C' },
        { ok: true, value: 'D' },
      ]);
    });

    it('does not take a batch a server answers member by member (some answers came already)', async () => {
      const { peer, raw } = await peerWithRawServer({ timeout: 0 });
      const errors: string[] = [];
      peer.errors$.subscribe((e) => errors.push(e.message));
      const results = firstValueFrom(batch$(peer, (b) => [b.request('a'), b.request('b')]));
      await raw.next();
      raw.send({ jsonrpc: '2.0', id: 1, result: 'A' });
      raw.send(refusal);
      await settle();
      expect(errors).toEqual(['Error response without an id: -32600 Batches are not supported']);
      raw.send({ jsonrpc: '2.0', id: 2, result: 'B' });
      expect(await results).toEqual([
        { ok: true, value: 'A' },
        { ok: true, value: 'B' },
      ]);
    });

    it('takes no batch for an error without an id inside a batch answer', async () => {
      const { peer, raw } = await peerWithRawServer({ timeout: 0 });
      const older = firstValueFrom(batch$(peer, (b) => [b.request('a')]));
      await raw.next();
      const newer = firstValueFrom(batch$(peer, (b) => [b.request('b'), b.request('c')]));
      await raw.next();
      raw.send([refusal, { jsonrpc: '2.0', id: 2, result: 'B' }, { jsonrpc: '2.0', id: 3, result: 'C' }]);
      expect(await newer).toEqual([
        { ok: true, value: 'B' },
        { ok: true, value: 'C' },
      ]);
      expect(peer.pendingCount).toBe(1);
      raw.send([{ jsonrpc: '2.0', id: 1, result: 'A' }]);
      expect(await older).toEqual([{ ok: true, value: 'A' }]);
    });
  });

  it('errors with the first failure when failFast', async () => {
    const { client, server } = peerPair();
    server.handle('ok', () => 'fine');
    const error = await firstValueFrom(
      batch$(client, (b) => [b.request('ok'), b.request('missing')], { failFast: true }),
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'JsonRpcError', code: -32601 });
  });

  it('gives each member as its own Observable, sharing one frame when subscribed together', async () => {
    const { peer, raw } = await peerWithRawServer();
    const { members } = batch$(peer, (b) => [b.request<number>('one'), b.request<string>('two')]);
    const both = firstValueFrom(forkJoin(members));
    expect(((await raw.next()) as Frame).map((m) => m.method)).toEqual(['one', 'two']);
    raw.send([
      { jsonrpc: '2.0', id: 2, result: 'II' },
      { jsonrpc: '2.0', id: 1, result: 1 },
    ]);
    expect(await both).toEqual([1, 'II']);
    await settle();
    expect(raw.received).toHaveLength(1);
  });

  it('errors a member Observable with that member error', async () => {
    const { client, server } = peerPair();
    server.handle('ok', () => 'fine');
    const { members } = batch$(client, (b) => [b.request('ok'), b.request('missing')]);
    await expect(firstValueFrom(members[0])).resolves.toBe('fine');
    await expect(firstValueFrom(members[1])).rejects.toMatchObject({ code: -32601 });
  });

  it('is cold: each subscription sends the batch again', async () => {
    const { client, server } = peerPair();
    let calls = 0;
    server.handle('count', () => ++calls);
    const batch = batch$(client, (b) => [b.request('count')]);
    expect(await firstValueFrom(batch)).toEqual([{ ok: true, value: 1 }]);
    expect(await firstValueFrom(batch)).toEqual([{ ok: true, value: 2 }]);
  });

  it('waits for the link and sends one frame once it opens', async () => {
    const link = memoryPair();
    const raw = await rawEnd(link.server);
    const opening = { connect: () => timer(5).pipe(switchMap(() => link.client.connect())) };
    const peer = connect(opening);
    peer.request$('before').subscribe({ error: () => undefined });
    batch$(peer, (b) => [b.request('a'), b.notify('n'), b.request('b')]).subscribe({ error: () => undefined });
    peer.request$('after').subscribe({ error: () => undefined });
    const frames = [await raw.next(), await raw.next(), await raw.next()];
    expect(
      frames.map((f) => (Array.isArray(f) ? (f as Frame).map((m) => m.method) : (f as Frame[number]).method)),
    ).toEqual(['before', ['a', 'n', 'b'], 'after']);
    peer.close();
    raw.close();
  });

  it('emits an empty array for an empty batch and sends nothing', async () => {
    const { peer, raw } = await peerWithRawServer();
    expect(await lastValueFrom(batch$(peer, () => []).pipe(toArray()))).toEqual([[]]);
    await settle();
    expect(raw.received).toEqual([]);
  });

  it('has a Promise form', async () => {
    const { client, server } = peerPair();
    server.handle('double', ([n]: number[]) => n! * 2);
    await expect(batch(client, (b) => [b.request('double', [2]), b.request('double', [5])])).resolves.toEqual([
      { ok: true, value: 4 },
      { ok: true, value: 10 },
    ]);
  });

  it('sends a batch of one as an array of one', async () => {
    const { peer, raw } = await peerWithRawServer();
    const results = observe(batch$(peer, (b) => [b.request('a', [1])]));
    expect(await raw.next()).toEqual([{ jsonrpc: '2.0', id: 1, method: 'a', params: [1] }]);
    raw.send([{ jsonrpc: '2.0', id: 1, result: 'A' }]);
    expect(await results.next()).toEqual([{ ok: true, value: 'A' }]);
  });

  it('sends a batch of notifications only as one frame, and nothing after it', async () => {
    const { peer, raw } = await peerWithRawServer();
    observe(batch$(peer, (b) => [b.notify('n', [1])]));
    expect(await raw.next()).toEqual([{ jsonrpc: '2.0', method: 'n', params: [1] }]);
    await settle();
    expect(raw.received).toHaveLength(1);
  });

  it('takes along what automatic batching collected, in one frame, and sends nothing after it', async () => {
    const { peer, raw } = await peerWithRawServer({ batching: batchingCalls() });
    observe(peer.request$('a'));
    observe(batch$(peer, (b) => [b.request('b'), b.notify('n')]));
    const frame = (await raw.next()) as Frame;
    expect(frame).toEqual([
      { jsonrpc: '2.0', id: 1, method: 'a' },
      { jsonrpc: '2.0', id: 2, method: 'b' },
      { jsonrpc: '2.0', method: 'n' },
    ]);
    // The flush automatic batching had scheduled finds nothing left to write.
    await settle();
    expect(raw.received).toHaveLength(1);
  });
});
