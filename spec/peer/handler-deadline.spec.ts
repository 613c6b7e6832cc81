// handlerTimeout, the deadline of a call being answered: a handler still running at its deadline
// is aborted, answered -32001 and reported once, its late result dropped; requests$ calls are
// bounded too; a deadline of Infinity is never armed.
import { firstValueFrom, Observable, Subject, VirtualAction, VirtualTimeScheduler } from 'rxjs';
import { HandlerError } from 'rx-jsonrpc';
import { closeAll, peerPair, peerWithRawServer } from '../helpers/memory-peers';
import { observe } from '../helpers/observe';
import { settle } from '../helpers/raw-end';

afterEach(closeAll);

const request = (id: number, method = 'work') => ({ jsonrpc: '2.0', id, method, params: [] });
const virtual = () => new VirtualTimeScheduler(VirtualAction, Infinity);

describe('the handler deadline', () => {
  it('aborts the handler with a reason that says so, and answers -32001', async () => {
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

  it('reports a handler that ran out of time once, naming it', async () => {
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

  it('on a real clock, answers the caller -32001, stops the handler, reports it and counts it no more', async () => {
    const { client, server } = peerPair({}, { handlerTimeout: 20 });
    let stopped = false;
    server.handle('forever', () => new Observable(() => () => (stopped = true)));
    const reported = firstValueFrom(server.errors$);
    await expect(client.request('forever')).rejects.toMatchObject({
      name: 'JsonRpcError',
      code: -32001,
      message: 'Request 1 (forever) failed: Request timed out after 20 ms (-32001)',
    });
    expect(stopped).toBe(true);
    expect(await reported).toMatchObject({
      name: 'HandlerError',
      message: 'Handler of forever (request 1) timed out after 20 ms',
    });
    expect(server.answeringCount).toBe(0);
  });

  it('drops the late result of a Promise handler that missed its deadline', async () => {
    const { peer, raw } = await peerWithRawServer({ handlerTimeout: 10 });
    peer.handle('slow', () => new Promise((resolve) => setTimeout(() => resolve('late'), 30)));
    raw.send({ jsonrpc: '2.0', id: 1, method: 'slow' });
    expect(await raw.next()).toMatchObject({ id: 1, error: { code: -32001 } });
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(raw.received).toHaveLength(1);
  });

  it('also bounds requests left to requests$', async () => {
    const { peer, raw } = await peerWithRawServer({ handlerTimeout: 10 });
    peer.requests$.subscribe(() => undefined);
    raw.send({ jsonrpc: '2.0', id: 1, method: 'ignored' });
    expect(await raw.next()).toMatchObject({ id: 1, error: { code: -32001 } });
  });

  describe('with a handlerTimeout of Infinity', () => {
    it('is never armed', async () => {
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

    it('is never armed on a real clock either (Node would run such a timer after 1 ms)', async () => {
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
});
