import { catchError, of, share, Subject } from 'rxjs';
import { batchingCalls, generic, reconnecting, ServerErrorCodes, type RpcError } from 'rx-jsonrpc';
import { closeAll, peerWithRawServer } from '../helpers/memory-peers';
import { rawEnd, settle } from '../helpers/raw-end';

// How a peer answers an incoming batch whose members end at different times: members
// cancelled without an answer, and batches kept open by one slow member.
afterEach(closeAll);

const call = (id: number, method: string, params: unknown = []) => ({ jsonrpc: '2.0', id, method, params });
const cancel = (id: number) => ({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id } });

describe('an incoming batch with a member cancelled in a dialect that does not answer cancelled calls', () => {
  it('is answered with the other members', async () => {
    const { peer, raw } = await peerWithRawServer({ dialect: generic() });
    peer.handle('slow', () => new Subject<never>());
    peer.handle('fast', () => 'done');
    raw.send([call(1, 'slow'), call(2, 'fast')]);
    await settle();
    raw.send(cancel(1));
    expect(await raw.next()).toEqual([{ jsonrpc: '2.0', id: 2, result: 'done' }]);
  });

  it('gets no answer when every member was cancelled', async () => {
    const { peer, raw } = await peerWithRawServer({ dialect: generic() });
    peer.handle('slow', () => new Subject<never>());
    raw.send([call(1, 'slow'), call(2, 'slow')]);
    await settle();
    raw.send(cancel(1));
    raw.send(cancel(2));
    raw.send(call(3, 'missing'));
    // The next frame is the answer to call 3: the batch had none.
    expect(await raw.next()).toMatchObject({ id: 3, error: { code: -32601 } });
    expect(peer.answeringCount).toBe(0);
  });
});

describe('batch answers kept open by a slow member', () => {
  it('hold at most maxAnsweringBytes of answers in all: later members are answered -32005', async () => {
    const { peer, raw } = await peerWithRawServer({ maxAnsweringBytes: 5_000 });
    const reported: RpcError[] = [];
    peer.errors$.subscribe((error) => reported.push(error));
    const slow = new Subject<string>();
    peer.handle('slow', () => slow);
    peer.handle('big', () => 'x'.repeat(1_000));
    // Three batches, each with four answers of about 1 kB waiting for its slow member.
    for (let batch = 0; batch < 3; batch++) {
      raw.send([1, 2, 3, 4].map((n) => call(batch * 10 + n, 'big')).concat(call(batch * 10 + 5, 'slow')));
    }
    await settle();
    slow.next('late');
    const answers = [
      (await raw.next()) as { id: number; result?: string; error?: { code: number; message: string } }[],
    ];
    answers.push((await raw.next()) as never, (await raw.next()) as never);
    const members = answers.flat();
    const refused = members.filter((member) => member.error?.code === ServerErrorCodes.LimitExceeded);
    expect(members.filter((member) => member.result === 'x'.repeat(1_000)).length).toBeLessThanOrEqual(5);
    expect(refused.length).toBeGreaterThanOrEqual(7);
    expect(refused[0]!.error!.message).toBe('Too many calls in progress');
    expect(reported.some((error) => /batch answers waiting for their last member hold/.test(error.message))).toBe(true);
  });

  it('are forgotten when the link drops, so the next link starts with nothing held', async () => {
    const { peer, raw, link } = await peerWithRawServer({
      maxAnsweringBytes: 5_000,
      reconnect: reconnecting({ delay: () => [0] }),
    });
    const slow = new Subject<string>();
    peer.handle('slow', () => slow);
    peer.handle('big', () => 'x'.repeat(1_000));
    raw.send([1, 2, 3, 4].map((n) => call(n, 'big')).concat(call(5, 'slow')));
    await settle();
    link.drop(1006);
    await settle();
    const again = await rawEnd(link.server);
    await settle();
    // This batch waits too: its four answers fit only if the dropped link's were forgotten.
    again.send([1, 2, 3, 4].map((n) => call(n, 'big')).concat(call(5, 'slow')));
    await settle();
    slow.next('late');
    const answer = (await again.next()) as { result?: string }[];
    expect(answer.filter((member) => member.result === 'x'.repeat(1_000))).toHaveLength(4);
    again.close();
  });
});

describe('a batch answered at once', () => {
  it('is sent whole however low maxAnsweringBytes is: nothing waits', async () => {
    const { peer, raw } = await peerWithRawServer({ maxAnsweringBytes: 2_000 });
    peer.handle('big', () => 'x'.repeat(1_500));
    raw.send([call(1, 'big'), call(2, 'big')]);
    const answer = (await raw.next()) as { result?: string }[];
    expect(answer.map((member) => member.result)).toEqual(['x'.repeat(1_500), 'x'.repeat(1_500)]);
  });

  it('is answered once when failing our own calls settles a member while it is read', async () => {
    const { peer, raw } = await peerWithRawServer({ batching: batchingCalls() });
    const y$ = peer.request$('y').pipe(share());
    peer.handle('h', () => y$.pipe(catchError(() => of('y failed'))));
    peer.request$('x').subscribe({ error: () => undefined });
    y$.subscribe({ error: () => undefined });
    const sent = (await raw.next()) as { id: number }[];
    // Our batch [x, y] is answered with x only, and a call h that waits on y.
    raw.send([{ jsonrpc: '2.0', id: sent[0]!.id, result: 'x' }, call(9, 'h')]);
    expect(await raw.next()).toEqual([{ jsonrpc: '2.0', id: 9, result: 'y failed' }]);
    raw.send(call(10, 'missing'));
    expect(await raw.next()).toMatchObject({ id: 10, error: { code: -32601 } });
  });
});
