// Cancellation as each dialect preset says it, on both sides of a memory link, and the heartbeat in
// virtual time, the other end driven by hand so that the frames are asserted exactly. (Written to
// kill the mutants of dialect.ts, answer.ts and heartbeat.ts that no other suite reached without a
// real socket; see docs/mutation.md.)
import { VirtualAction, VirtualTimeScheduler } from 'rxjs';
import {
  ConnectionClosedError,
  generic,
  lsp,
  mcp,
  type Dialect,
  type HeartbeatOptions,
  type PeerState,
} from 'rx-jsonrpc';
import { closeAll, peerWithRawServer } from '../helpers/memory-peers';
import { observe } from '../helpers/observe';
import { settle } from '../helpers/raw-end';

afterEach(closeAll);

type Call = { jsonrpc: '2.0'; id: number; method: string; params?: unknown };

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

describe('the heartbeat', () => {
  async function watched(heartbeat: HeartbeatOptions) {
    const scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);
    const { peer, raw } = await peerWithRawServer({ scheduler, heartbeat });
    const states: PeerState[] = [];
    peer.state$.subscribe((state) => states.push(state));
    // Virtual time moves only with the actions it runs: a no-op at `ms` brings the clock there.
    const advance = async (ms: number) => {
      scheduler.schedule(() => undefined, ms - scheduler.now());
      scheduler.maxFrames = ms;
      scheduler.flush();
      await settle();
    };
    return { peer, raw, states, advance };
  }

  it('calls ping every interval', async () => {
    const { raw, advance } = await watched({ interval: 100 });
    await advance(99);
    expect(raw.received).toEqual([]);
    await advance(100);
    const ping = (await raw.next()) as Call;
    expect(ping).toMatchObject({ jsonrpc: '2.0', method: 'ping' });
    expect(ping.params).toBeUndefined();
    raw.send({ jsonrpc: '2.0', id: ping.id, result: 'pong' });
    await settle();
    await advance(200);
    expect(await raw.next()).toMatchObject({ method: 'ping' });
  });

  it('calls the method given, with its params', async () => {
    const { raw, advance } = await watched({ interval: 100, method: 'health', params: ['deep'] });
    await advance(100);
    expect(await raw.next()).toMatchObject({ method: 'health', params: ['deep'] });
  });

  it('sees no answer within the timeout as a dropped link', async () => {
    const { states, advance, raw } = await watched({ interval: 100, timeout: 30 });
    await advance(100);
    await raw.next();
    await advance(129);
    expect(states.at(-1)?.status).toBe('open');
    await advance(131);
    const closed = states.at(-1) as Extract<PeerState, { status: 'closed' }>;
    expect(closed.status).toBe('closed');
    expect(closed.error).toBeInstanceOf(ConnectionClosedError);
    expect(closed.error).toMatchObject({
      message: 'No answer to the heartbeat within 30 ms',
      code: 1006,
      reason: 'heartbeat timeout',
    });
  });

  it('waits one interval for the answer when no timeout is given', async () => {
    const { states, advance, raw } = await watched({ interval: 100 });
    await advance(100);
    await raw.next();
    await advance(199);
    expect(states.at(-1)?.status).toBe('open');
    await advance(201);
    expect(states.at(-1)).toMatchObject({
      status: 'closed',
      error: { message: 'No answer to the heartbeat within 100 ms' },
    });
  });

  it('takes an error answer as a sign of life', async () => {
    const { states, advance, raw } = await watched({ interval: 100, timeout: 30 });
    await advance(100);
    const ping = (await raw.next()) as Call;
    raw.send({ jsonrpc: '2.0', id: ping.id, error: { code: -32601, message: 'Method not found' } });
    await settle();
    await advance(180);
    expect(states.at(-1)?.status).toBe('open');
  });
});
