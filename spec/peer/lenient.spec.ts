// The lenient options, for answers that bend JSON-RPC 2.0: idTypes routes an answer whose id
// changed type, missingResult reads an answer without result as null, errorCodes reads odd codes.
import { JsonRpcError, ProtocolError } from 'rx-jsonrpc';
import { closeAll, peerWithRawServer } from '../helpers/memory-peers';
import { observe } from '../helpers/observe';
import { settle } from '../helpers/raw-end';

afterEach(closeAll);

describe('lenient idTypes', () => {
  /** A peer whose calls go out with the string ids given, in turn. */
  async function stringIds(...ids: string[]) {
    const queue = [...ids];
    return peerWithRawServer({ lenient: { idTypes: true }, nextId: () => queue.shift()! });
  }

  it('routes a number answer to the call sent with the same id as a string', async () => {
    const { peer, raw } = await stringIds('12', '-3');
    const first = peer.request('m');
    const second = peer.request('m');
    await raw.next();
    await raw.next();
    raw.send({ jsonrpc: '2.0', id: 12, result: 'twelve' });
    raw.send({ jsonrpc: '2.0', id: -3, result: 'minus three' });
    await expect(first).resolves.toBe('twelve');
    await expect(second).resolves.toBe('minus three');
  });

  it('routes a string answer to the call sent with the same id as a number, only when it is all digits', async () => {
    const { peer, raw } = await peerWithRawServer({ lenient: { idTypes: true } });
    const reported = observe(peer.errors$);
    const call = observe(peer.request$('m'));
    const { id } = (await raw.next()) as { id: number };
    raw.send({ jsonrpc: '2.0', id: `${id}x`, result: 'not it' });
    raw.send({ jsonrpc: '2.0', id: `x${id}`, result: 'not it' });
    raw.send({ jsonrpc: '2.0', id: String(id), result: 'it' });
    await call.ended;
    expect(call.values).toEqual(['it']);
    expect(reported.values.map((e) => e.message)).toEqual([
      `Response for unknown id "${id}x"`,
      `Response for unknown id "x${id}"`,
    ]);
  });

  it('keeps the types apart when not lenient', async () => {
    const { peer, raw } = await peerWithRawServer({ nextId: () => '5' });
    const reported = observe(peer.errors$);
    observe(peer.request$('m'));
    await raw.next();
    raw.send({ jsonrpc: '2.0', id: 5, result: 'number' });
    await settle();
    expect(reported.values.map((e) => e.message)).toEqual(['Response for unknown id 5']);
    expect(peer.pendingCount).toBe(1);
  });
});

describe('lenient missingResult', () => {
  it('answers null for a response with neither result nor error, but not one with an illegal id', async () => {
    const { peer, raw } = await peerWithRawServer({ lenient: { missingResult: true } });
    const reported = observe(peer.errors$);
    const call = observe(peer.request$('m'));
    const { id } = (await raw.next()) as { id: number };
    raw.send({ jsonrpc: '2.0', id: true });
    raw.send({ jsonrpc: '2.0', id });
    await call.ended;
    expect(call.values).toEqual([null]);
    expect(reported.values).toHaveLength(1);
    expect(reported.values[0]!.message).toMatch(/^Invalid message: /);
  });
});

describe('lenient errorCodes', () => {
  it('passes on an error whose code is not an integer, with its data', async () => {
    const { peer, raw } = await peerWithRawServer({ lenient: { errorCodes: true } });
    const call = observe(peer.request$('m'));
    const { id } = (await raw.next()) as { id: number };
    raw.send({ jsonrpc: '2.0', id, error: { code: '404', message: 'Not found', data: { path: '/x' } } });
    const error = await call.error();
    expect(error).toBeInstanceOf(JsonRpcError);
    expect(error).toMatchObject({
      code: 404,
      message: `Request ${id} (m) failed: Not found (404)`,
      data: { path: '/x' },
    });
  });

  it('reads a code that is no number as -32603', async () => {
    const { peer, raw } = await peerWithRawServer({ lenient: { errorCodes: true } });
    const call = observe(peer.request$('m'));
    const { id } = (await raw.next()) as { id: number };
    raw.send({ jsonrpc: '2.0', id, error: { code: 'oops', message: 'Broken' } });
    expect(await call.error()).toMatchObject({ code: -32603, message: `Request ${id} (m) failed: Broken (-32603)` });
  });

  it('still refuses an error without a string message', async () => {
    const { peer, raw } = await peerWithRawServer({ lenient: { errorCodes: true } });
    const call = observe(peer.request$('m'));
    const { id } = (await raw.next()) as { id: number };
    raw.send({ jsonrpc: '2.0', id, error: { code: 1.5, message: 5 } });
    const error = await call.error();
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as Error).message).toMatch(new RegExp(`^Request ${id} \\(m\\) got an invalid response: `));
  });
});
