// requestWithProgress$(): sends a token as each dialect says and emits the progress reported for
// it, its timeout restarting with each report. A handler's progress() is in spec/peer/handler-progress.
import { VirtualAction, VirtualTimeScheduler } from 'rxjs';
import {
  type Dialect,
  generic,
  lsp,
  mcp,
  type PeerOptions,
  ProtocolError,
  RequestTimeoutError,
  requestWithProgress$,
} from 'rx-jsonrpc';
import { closeAll, peerWithRawServer } from '../helpers/memory-peers';
import { observe } from '../helpers/observe';
import { settle } from '../helpers/raw-end';

afterEach(closeAll);

type Call = { jsonrpc: '2.0'; id: number; method: string; params: Record<string, unknown> };

/** How each preset carries the token in a call and reports progress. */
const presets: [
  string,
  () => Dialect,
  { tokenIn: (params: Record<string, unknown>) => unknown; progress: (token: unknown, value: unknown) => object },
][] = [
  [
    'generic',
    generic,
    {
      tokenIn: (params) => params.progressToken,
      progress: (token, value) => ({ jsonrpc: '2.0', method: '$/progress', params: { token, value } }),
    },
  ],
  [
    'lsp',
    lsp,
    {
      tokenIn: (params) => params.workDoneToken,
      progress: (token, value) => ({ jsonrpc: '2.0', method: '$/progress', params: { token, value } }),
    },
  ],
  [
    'mcp',
    mcp,
    {
      tokenIn: (params) => (params._meta as Record<string, unknown>).progressToken,
      progress: (progressToken, value) => ({
        jsonrpc: '2.0',
        method: 'notifications/progress',
        params: { progressToken, ...(value as object) },
      }),
    },
  ],
];

describe.each(presets)('requestWithProgress$ with the %s dialect', (name, dialect, wire) => {
  it('sends the token with the params and emits the progress for it, in order, then the result', async () => {
    const { peer, raw } = await peerWithRawServer({ dialect: dialect() });
    const events = observe(requestWithProgress$(peer, 'build', { target: 'app' }));
    const call = (await raw.next()) as Call;
    expect(call.method).toBe('build');
    expect(call.params.target).toBe('app');
    const token = wire.tokenIn(call.params);
    expect(typeof token).toBe('string');
    raw.send(wire.progress(token, { step: 1 }));
    raw.send(wire.progress(`${String(token)}-other`, { step: 'not ours' }));
    raw.send(wire.progress(token, { step: 2 }));
    raw.send({ jsonrpc: '2.0', id: call.id, result: 'built' });
    await events.ended;
    expect(events.values).toEqual([
      { kind: 'progress', progress: { step: 1 } },
      { kind: 'progress', progress: { step: 2 } },
      { kind: 'result', result: 'built' },
    ]);
    expect(events.ending).toEqual({ kind: 'complete' });
  });

  it('gives each call its own token', async () => {
    const { peer, raw } = await peerWithRawServer({ dialect: dialect() });
    observe(requestWithProgress$(peer, 'a', {}));
    observe(requestWithProgress$(peer, 'b', {}));
    const tokens = [
      wire.tokenIn(((await raw.next()) as Call).params),
      wire.tokenIn(((await raw.next()) as Call).params),
    ];
    expect(tokens[0]).not.toEqual(tokens[1]);
  });

  it('sends the token alone when the call has no params', async () => {
    const { peer, raw } = await peerWithRawServer({ dialect: dialect() });
    observe(requestWithProgress$(peer, 'build'));
    const call = (await raw.next()) as Call;
    expect(Object.keys(call.params)).toEqual([
      name === 'mcp' ? '_meta' : name === 'lsp' ? 'workDoneToken' : 'progressToken',
    ]);
  });

  it('refuses positional params, which cannot carry a token, without sending anything', async () => {
    const { peer, raw } = await peerWithRawServer({ dialect: dialect() });
    const events = observe(requestWithProgress$(peer, 'build', [1, 2]));
    const error = await events.error();
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as Error).message).toBe(
      `Request (build) not sent: ${name} progress needs named (object) params to carry its token`,
    );
    expect((error as Error).cause).toBeInstanceOf(TypeError);
    await settle();
    expect(raw.received).toEqual([]);
  });

  it('stops listening to progress once the call ends', async () => {
    const { peer, raw } = await peerWithRawServer({ dialect: dialect() });
    const first = observe(requestWithProgress$(peer, 'a', {}));
    const call = (await raw.next()) as Call;
    const token = wire.tokenIn(call.params);
    raw.send({ jsonrpc: '2.0', id: call.id, result: 1 });
    await first.ended;
    raw.send(wire.progress(token, { late: true }));
    await settle();
    expect(first.values).toEqual([{ kind: 'result', result: 1 }]);
  });
});

describe('requestWithProgress$ with the mcp dialect', () => {
  it('keeps the _meta members the caller gave next to the token', async () => {
    const { peer, raw } = await peerWithRawServer({ dialect: mcp() });
    observe(requestWithProgress$(peer, 'tools/call', { name: 'x', _meta: { trace: 'abc' } }));
    const call = (await raw.next()) as Call;
    expect(call.params).toEqual({ name: 'x', _meta: { trace: 'abc', progressToken: expect.any(String) } });
  });

  it('reads a progress notification whose params are not an object as no progress', async () => {
    const { peer, raw } = await peerWithRawServer({ dialect: mcp() });
    const events = observe(requestWithProgress$(peer, 'build', {}));
    const call = (await raw.next()) as Call;
    raw.send({ jsonrpc: '2.0', method: 'notifications/progress', params: [call.params._meta] });
    raw.send({ jsonrpc: '2.0', id: call.id, result: 'done' });
    await events.ended;
    expect(events.values).toEqual([{ kind: 'result', result: 'done' }]);
  });
});

describe('requestWithProgress$ with a dialect that has no progress', () => {
  it('errors with ProtocolError naming the dialect, without sending anything', async () => {
    const { peer, raw } = await peerWithRawServer({ dialect: { name: 'plain' } });
    const events = observe(requestWithProgress$(peer, 'build', {}));
    const error = await events.error();
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as Error).message).toBe('Request (build) not sent: the plain dialect has no progress');
    await settle();
    expect(raw.received).toEqual([]);
  });
});

describe('requestWithProgress$ timeouts', () => {
  async function slowCall(options: { timeout?: number; maxTimeout?: number }, peerOptions: PeerOptions = {}) {
    const scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);
    const { peer, raw } = await peerWithRawServer({ scheduler, ...peerOptions });
    const events = observe(requestWithProgress$(peer, 'slow', {}, options));
    const call = (await raw.next()) as Call;
    const token = call.params.progressToken;
    /** Moves virtual time to `ms`, then sends a progress report and lets it arrive. */
    const progressAt = async (ms: number) => {
      advance(ms);
      raw.send({ jsonrpc: '2.0', method: '$/progress', params: { token, value: ms } });
      await settle();
    };
    // Virtual time moves only with the actions it runs: a no-op at `ms` brings the clock there.
    const advance = (ms: number) => {
      scheduler.schedule(() => undefined, ms - scheduler.now());
      scheduler.maxFrames = ms;
      scheduler.flush();
    };
    return { events, progressAt, advance, call, raw };
  }

  it('restarts the timeout with each progress report', async () => {
    const { events, progressAt, advance } = await slowCall({ timeout: 100 });
    await progressAt(90);
    await progressAt(180);
    await progressAt(270);
    expect(events.ending).toBeUndefined();
    advance(369);
    expect(events.ending).toBeUndefined();
    advance(371);
    const error = await events.error();
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect(error).toMatchObject({ method: 'slow', timeout: 100, id: 1 });
    expect((error as Error).message).toBe('Request 1 (slow) timed out after 100 ms');
  });

  it('takes the peer timeout when the call gives none', async () => {
    const { events, advance } = await slowCall({}, { timeout: 50 });
    advance(49);
    expect(events.ending).toBeUndefined();
    advance(51);
    expect(await events.error()).toMatchObject({ name: 'RequestTimeoutError', timeout: 50 });
  });

  it('ends the call at maxTimeout however often it reports progress', async () => {
    const { events, progressAt, advance } = await slowCall({ timeout: 100, maxTimeout: 250 });
    await progressAt(90);
    await progressAt(180);
    advance(249);
    expect(events.ending).toBeUndefined();
    advance(251);
    const error = await events.error();
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect(error).toMatchObject({ method: 'slow', timeout: 250, id: 1 });
  });

  it.each([[0], [Infinity]])('waits forever with a timeout of %p', async (timeout) => {
    const { events, advance, raw, call } = await slowCall({ timeout, maxTimeout: timeout });
    advance(1_000_000);
    expect(events.ending).toBeUndefined();
    raw.send({ jsonrpc: '2.0', id: call.id, result: 'at last' });
    await events.ended;
    expect(events.values).toEqual([{ kind: 'result', result: 'at last' }]);
  });
});
