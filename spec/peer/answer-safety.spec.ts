import { HandlerError, JsonRpcError, ProtocolError, ServerErrorCodes, type RpcError } from 'rx-jsonrpc';
import { closeAll, peerWithRawServer } from '../helpers/memory-peers';

afterEach(closeAll);

const internalError = (id: number) => ({ jsonrpc: '2.0', id, error: { code: -32603, message: 'Internal error' } });
const tooLarge = (id: number) => ({
  jsonrpc: '2.0',
  id,
  error: { code: ServerErrorCodes.LimitExceeded, message: 'Answer too large' },
});

function revokedProxy(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

async function serving(options: Parameters<typeof peerWithRawServer>[0] = {}) {
  const setup = await peerWithRawServer(options);
  const reported: RpcError[] = [];
  setup.peer.errors$.subscribe((error) => reported.push(error));
  setup.peer.handle('ping', () => 'pong');
  const call = async (method: string, id = 1) => {
    setup.raw.send({ jsonrpc: '2.0', id, method });
    return setup.raw.next();
  };
  return { ...setup, reported, call };
}

describe('a handler that fails with something that is not an Error', () => {
  const values: [string, () => unknown][] = [
    ['a null-prototype object', () => Object.create(null)],
    [
      'an object whose message getter throws',
      () => ({
        get message(): string {
          throw new Error('getter');
        },
      }),
    ],
    ['a revoked Proxy', revokedProxy],
    ['an object whose toString is not a function', () => ({ toString: 1 })],
    ['undefined', () => undefined],
  ];

  it.each(values)('is answered -32603 when it throws %s, and the peer keeps serving', async (_, value) => {
    const { peer, call, reported } = await serving();
    peer.handle('fail', () => {
      throw value();
    });
    expect(await call('fail')).toEqual(internalError(1));
    expect(reported[0]).toBeInstanceOf(HandlerError);
    expect(reported[0]!.message).toMatch(/^Handler of fail \(request 1\) failed: /);
    expect(await call('ping', 2)).toEqual({ jsonrpc: '2.0', id: 2, result: 'pong' });
  });

  it.each(values)('is answered -32603 when it rejects with %s', async (_, value) => {
    const { peer, call, reported } = await serving();
    peer.handle('fail', () => Promise.reject(value()));
    expect(await call('fail')).toEqual(internalError(1));
    expect(reported[0]).toBeInstanceOf(HandlerError);
  });

  it('is answered -32603 when it returns a revoked Proxy, which cannot even be asked for `then`', async () => {
    const { peer, call, reported } = await serving();
    peer.handle('fail', () => revokedProxy());
    expect(await call('fail')).toEqual(internalError(1));
    expect(reported[0]).toBeInstanceOf(HandlerError);
    expect(reported[0]!.message).toMatch(/^Handler of fail \(request 1\) failed: /);
  });

  it('is answered -32603 when it returns a thenable whose then throws', async () => {
    const { peer, call } = await serving();
    peer.handle('fail', () => ({
      then() {
        throw new Error('no then');
      },
    }));
    expect(await call('fail')).toEqual(internalError(1));
  });

  it('is answered -32603 when its JsonRpcError carries data that cannot be serialised', async () => {
    const { peer, call, reported } = await serving();
    peer.handle('fail', () => {
      throw new JsonRpcError(4000, 'bad', revokedProxy());
    });
    expect(await call('fail')).toEqual(internalError(1));
    expect(reported[0]).toBeInstanceOf(ProtocolError);
    expect(reported[0]!.message).toMatch(/^Answer to request 1 cannot be serialised to JSON: /);
  });
});

describe('maxAnswerSize', () => {
  it('replaces an answer over the limit with -32005 and reports it', async () => {
    const { peer, call, reported } = await serving({ maxAnswerSize: 100 });
    peer.handle('big', () => 'x'.repeat(200));
    expect(await call('big')).toEqual(tooLarge(1));
    expect(reported.map((e) => [e.name, e.message])).toEqual([
      [
        'ProtocolError',
        'Answer to request 1 not sent: it would pass maxAnswerSize (100 bytes); answered -32005 instead',
      ],
    ]);
  });

  it('counts UTF-8 bytes, not characters', async () => {
    const { peer, call } = await serving({ maxAnswerSize: 100 });
    // 36 bytes of envelope: 33 'e' are 69 bytes, 33 'é' are 102, 16 emoji (32 code units) exactly 100.
    peer.handle('wide', () => 'é'.repeat(33));
    peer.handle('narrow', () => 'e'.repeat(33));
    peer.handle('emoji', () => '😀'.repeat(16));
    expect(await call('narrow')).toEqual({ jsonrpc: '2.0', id: 1, result: 'e'.repeat(33) });
    expect(await call('wide', 2)).toEqual(tooLarge(2));
    expect(await call('emoji', 3)).toEqual({ jsonrpc: '2.0', id: 3, result: '😀'.repeat(16) });
  });

  it('sends the members of a batch answer that fit, and replaces the one that would pass the limit and those after it', async () => {
    const { peer, raw } = await serving({ maxAnswerSize: 150 });
    peer.handle('echo', ([text]: [string]) => text);
    const member = (id: number) => ({ jsonrpc: '2.0', id, method: 'echo', params: ['x'.repeat(30)] });
    raw.send([member(1), member(2), member(3)]);
    const answer = (await raw.next()) as unknown[];
    expect(answer).toEqual([
      { jsonrpc: '2.0', id: 1, result: 'x'.repeat(30) },
      { jsonrpc: '2.0', id: 2, result: 'x'.repeat(30) },
      tooLarge(3),
    ]);
  });

  it('keeps a batch answer of huge results within the limit, so it can always be built', async () => {
    const { peer, raw } = await serving({ maxAnswerSize: 1_000_000 });
    const result = 'x'.repeat(600_000);
    peer.handle('huge', () => result);
    raw.send(Array.from({ length: 20 }, (_, i) => ({ jsonrpc: '2.0', id: i + 1, method: 'huge' })));
    const answer = (await raw.next()) as { id: number; result?: string }[];
    expect(answer.filter((member) => member.result === result)).toHaveLength(1);
    expect(answer.slice(1)).toEqual(Array.from({ length: 19 }, (_, i) => tooLarge(i + 2)));
  });
});
