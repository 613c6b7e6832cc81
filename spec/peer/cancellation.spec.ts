// Cancelling a call: the notification each dialect (or the `cancel` option) sends when the caller
// gives a call up, and what the answering side does with one it receives.
import { Subject } from 'rxjs';
import { generic, lsp, mcp, type Dialect } from 'rx-jsonrpc';
import { closeAll, peerWithRawServer } from '../helpers/memory-peers';
import { observe } from '../helpers/observe';
import { settle } from '../helpers/raw-end';

afterEach(closeAll);

type Call = { jsonrpc: '2.0'; id: number; method: string; params?: unknown };

const request = (id: number | null, method = 'work', params: unknown = []) => ({ jsonrpc: '2.0', id, method, params });
const cancelRequest = (id: unknown) => ({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id } });

describe.each([
  ['generic', generic(), (id: number) => ({ method: '$/cancelRequest', params: { id } })],
  ['lsp', lsp(), (id: number) => ({ method: '$/cancelRequest', params: { id } })],
  [
    'mcp',
    mcp(),
    (requestId: number) => ({
      method: 'notifications/cancelled',
      params: { requestId, reason: 'cancelled by the caller' },
    }),
  ],
] as [string, Dialect, (id: number) => object][])('the %s dialect', (name, dialect, cancelOf) => {
  describe('when the caller unsubscribes from a call', () => {
    it('sends its cancel notification naming the call', async () => {
      const { peer, raw } = await peerWithRawServer({ dialect });
      const call = observe(peer.request$('slow', {}));
      const sent = (await raw.next()) as Call;
      call.unsubscribe();
      expect(await raw.next()).toEqual({ jsonrpc: '2.0', ...cancelOf(sent.id) });
      expect(peer.pendingCount).toBe(0);
    });

    it('sends nothing for a call already answered', async () => {
      const { peer, raw } = await peerWithRawServer({ dialect });
      const call = observe(peer.request$('quick', {}));
      const sent = (await raw.next()) as Call;
      raw.send({ jsonrpc: '2.0', id: sent.id, result: 1 });
      await call.ended;
      call.unsubscribe();
      await settle();
      expect(raw.received).toHaveLength(1);
    });
  });

  describe('when the other side cancels a call being answered', () => {
    it(`aborts the handler and ${name === 'lsp' ? 'answers -32800' : 'sends no answer'}`, async () => {
      const { peer, raw } = await peerWithRawServer({ dialect });
      let reason: unknown;
      peer.handle('forever', (_params, { signal }) => {
        signal.addEventListener('abort', () => (reason = signal.reason));
        return new Promise(() => undefined);
      });
      raw.send({ jsonrpc: '2.0', id: 5, method: 'forever', params: {} });
      await settle();
      expect(peer.answeringCount).toBe(1);
      raw.send({ jsonrpc: '2.0', ...cancelOf(5) });
      await settle();
      expect(reason).toBeInstanceOf(Error);
      expect((reason as Error).message).toBe('cancelled by the caller');
      expect(peer.answeringCount).toBe(0);
      if (name === 'lsp') {
        expect(await raw.next()).toEqual({
          jsonrpc: '2.0',
          id: 5,
          error: { code: -32800, message: 'Request cancelled' },
        });
      } else {
        expect(raw.received).toEqual([]);
      }
    });

    it('reports nothing when the handler stops with its signal’s reason, as fetch() and throwIfAborted() do', async () => {
      const { peer, raw } = await peerWithRawServer({ dialect });
      const reported = observe(peer.errors$);
      peer.handle('obeys', (_params, { signal }) => {
        return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
      });
      // A handler whose own failure comes after the cancel is still reported.
      peer.handle('fails', (_params, { signal }) => {
        return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('bug'))));
      });
      raw.send({ jsonrpc: '2.0', id: 5, method: 'obeys', params: {} });
      raw.send({ jsonrpc: '2.0', id: 6, method: 'fails', params: {} });
      await settle();
      raw.send({ jsonrpc: '2.0', ...cancelOf(5) });
      raw.send({ jsonrpc: '2.0', ...cancelOf(6) });
      await settle();
      expect(peer.answeringCount).toBe(0);
      expect(reported.values.map((error) => error.message)).toEqual(['Handler of fails (request 6) failed: bug']);
    });

    it('ignores a cancel naming an unknown call, or with params it cannot read', async () => {
      const { peer, raw } = await peerWithRawServer({ dialect });
      let aborted = false;
      peer.handle('forever', (_params, { signal }) => {
        signal.addEventListener('abort', () => (aborted = true));
        return new Promise(() => undefined);
      });
      raw.send({ jsonrpc: '2.0', id: 5, method: 'forever', params: {} });
      raw.send({ jsonrpc: '2.0', ...cancelOf(6) });
      raw.send({ jsonrpc: '2.0', method: (cancelOf(5) as { method: string }).method, params: [5] });
      await settle();
      expect(aborted).toBe(false);
      expect(peer.answeringCount).toBe(1);
      expect(raw.received).toEqual([]);
    });
  });
});

describe('a peer without a dialect', () => {
  it('sends no cancel notification when the caller unsubscribes', async () => {
    const { peer, raw } = await peerWithRawServer();
    const call = observe(peer.request$('slow', {}));
    await raw.next();
    call.unsubscribe();
    await settle();
    expect(raw.received).toHaveLength(1);
  });

  it('sends the cancel notification the cancel option names', async () => {
    const { peer, raw } = await peerWithRawServer({
      cancel: { method: 'abort', params: (id) => [id] },
    });
    const call = observe(peer.request$('slow', {}));
    const sent = (await raw.next()) as Call;
    call.unsubscribe();
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', method: 'abort', params: [sent.id] });
  });
});

describe('a cancel notification received, in the generic dialect', () => {
  it('aborts the call it names without answering it, and the link carries on', async () => {
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

  it('leaves a call already answered alone: its signal does not abort afterwards', async () => {
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

  it('cannot name a request whose id is null: that request runs to its answer', async () => {
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

  it('is only the dialect’s method: another notification with an id in its params cancels nothing', async () => {
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

  it('reaches the call still running when two calls with its id were in flight and one has ended', async () => {
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
    raw.send(cancelRequest(7));
    await settle();
    expect(aborted).toEqual(['second']);
    expect(peer.answeringCount).toBe(0);
  });
});
