// The examples of the JSON-RPC 2.0 specification (section 7), written out request by
// request, sent as raw frames over a real socket to a server made with serve().
import { positional, type Peer } from 'rx-jsonrpc';
import { serve, type JsonRpcServer } from 'rx-jsonrpc/node';
import type { WebSocket } from 'ws';
import { closeAllWs, openWsClient } from '../helpers/ws-server';

let server: JsonRpcServer;
let socket: WebSocket;
let notified: { method: string; params: unknown }[];

/** The methods the specification's examples call. */
function serveExamples(peer: Peer): void {
  peer.handle('subtract', (params: number[] | { minuend: number; subtrahend: number }) =>
    Array.isArray(params) ? params[0]! - params[1]! : params.minuend - params.subtrahend,
  );
  peer.handle(
    'sum',
    positional((...numbers: number[]) => numbers.reduce((a, b) => a + b, 0)),
  );
  peer.handle('get_data', () => ['hello', 5]);
  // "foobar" has no handler: as a notification it is dropped, as a request it is not found.
  for (const method of ['update', 'notify_hello', 'notify_sum']) {
    peer.handle(method, (params: unknown, { id }) => {
      if (id === undefined) notified.push({ method, params });
      else throw new Error('only a notification here');
    });
  }
}

beforeAll(async () => {
  server = await serve({ port: 0 }, serveExamples);
});

afterAll(() => server.close({ drain: 0 }));

beforeEach(async () => {
  notified = [];
  socket = await openWsClient(server.url!);
});

afterEach(closeAllWs);

/** Sends `frame` as is and resolves with the parsed answer, or undefined if none comes within 100 ms. */
function exchange(frame: string): Promise<unknown> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), 100);
    socket.once('message', (data) => {
      clearTimeout(timer);
      resolve(JSON.parse(String(data)));
    });
    socket.send(frame);
  });
}

/** Batch answers may come in any order: compare them as a set of the same size. */
const inAnyOrder = (expected: unknown[]) => ({ length: expected.length, items: expect.arrayContaining(expected) });
const asSet = (answers: unknown) => ({ length: (answers as unknown[]).length, items: answers });

describe('the specification examples', () => {
  it('rpc call with positional parameters', async () => {
    expect(await exchange('{"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": 1}')).toEqual({
      jsonrpc: '2.0',
      result: 19,
      id: 1,
    });
    expect(await exchange('{"jsonrpc": "2.0", "method": "subtract", "params": [23, 42], "id": 2}')).toEqual({
      jsonrpc: '2.0',
      result: -19,
      id: 2,
    });
  });

  it('rpc call with named parameters', async () => {
    expect(
      await exchange('{"jsonrpc": "2.0", "method": "subtract", "params": {"subtrahend": 23, "minuend": 42}, "id": 3}'),
    ).toEqual({ jsonrpc: '2.0', result: 19, id: 3 });
    expect(
      await exchange('{"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 42, "subtrahend": 23}, "id": 4}'),
    ).toEqual({ jsonrpc: '2.0', result: 19, id: 4 });
  });

  it('a Notification', async () => {
    expect(await exchange('{"jsonrpc": "2.0", "method": "update", "params": [1,2,3,4,5]}')).toBeUndefined();
    expect(await exchange('{"jsonrpc": "2.0", "method": "foobar"}')).toBeUndefined();
    expect(notified).toEqual([{ method: 'update', params: [1, 2, 3, 4, 5] }]);
  });

  it('rpc call of non-existent method', async () => {
    expect(await exchange('{"jsonrpc": "2.0", "method": "foobar", "id": "1"}')).toEqual({
      jsonrpc: '2.0',
      error: { code: -32601, message: 'Method not found' },
      id: '1',
    });
  });

  it('rpc call with invalid JSON', async () => {
    expect(await exchange('{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]')).toEqual({
      jsonrpc: '2.0',
      error: { code: -32700, message: 'Parse error' },
      id: null,
    });
  });

  it('rpc call with invalid Request object', async () => {
    expect(await exchange('{"jsonrpc": "2.0", "method": 1, "params": "bar"}')).toEqual({
      jsonrpc: '2.0',
      error: { code: -32600, message: 'Invalid Request' },
      id: null,
    });
  });

  it('rpc call Batch, invalid JSON', async () => {
    expect(
      await exchange(`[
        {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
        {"jsonrpc": "2.0", "method"
      ]`),
    ).toEqual({ jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' }, id: null });
  });

  it('rpc call with an empty Array', async () => {
    expect(await exchange('[]')).toEqual({
      jsonrpc: '2.0',
      error: { code: -32600, message: 'Invalid Request' },
      id: null,
    });
  });

  it('rpc call with an invalid Batch (but not empty)', async () => {
    expect(await exchange('[1]')).toEqual([
      { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request' }, id: null },
    ]);
  });

  it('rpc call with invalid Batch', async () => {
    const invalid = { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request' }, id: null };
    expect(await exchange('[1,2,3]')).toEqual([invalid, invalid, invalid]);
  });

  it('rpc call Batch', async () => {
    const answers = await exchange(`[
      {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
      {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]},
      {"jsonrpc": "2.0", "method": "subtract", "params": [42,23], "id": "2"},
      {"foo": "boo"},
      {"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"},
      {"jsonrpc": "2.0", "method": "get_data", "id": "9"}
    ]`);
    expect(asSet(answers)).toEqual(
      inAnyOrder([
        { jsonrpc: '2.0', result: 7, id: '1' },
        { jsonrpc: '2.0', result: 19, id: '2' },
        { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request' }, id: null },
        { jsonrpc: '2.0', error: { code: -32601, message: 'Method not found' }, id: '5' },
        { jsonrpc: '2.0', result: ['hello', 5], id: '9' },
      ]),
    );
    expect(notified).toEqual([{ method: 'notify_hello', params: [7] }]);
  });

  it('rpc call Batch (all notifications)', async () => {
    expect(
      await exchange(`[
        {"jsonrpc": "2.0", "method": "notify_sum", "params": [1,2,4]},
        {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]}
      ]`),
    ).toBeUndefined();
    expect(notified.map((n) => n.method)).toEqual(['notify_sum', 'notify_hello']);
  });
});
