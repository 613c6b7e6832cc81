// Servers that misbehave in ways seen in the wild, each over a real socket. None may crash
// the peer, reset the connection or resolve the wrong call; each quirk is reported on
// errors$ and trace$, and `lenient` accepts the ones real servers need.
import { once } from 'node:events';
import { filter, firstValueFrom } from 'rxjs';
import type { WebSocket } from 'ws';
import {
  batch,
  connect,
  JsonRpcError,
  type Peer,
  type PeerOptions,
  ProtocolError,
  type RpcError,
  type TraceEvent,
} from 'rx-jsonrpc';
import { webSocket } from 'rx-jsonrpc/node';
import { closeAllWs, startWsServer } from '../helpers/ws-server';

const peers: Peer[] = [];
afterEach(async () => {
  for (const peer of peers.splice(0)) peer.close();
  await closeAllWs();
});

/** A client peer and the raw server socket it talks to, with what the peer reports. */
async function quirky(options: PeerOptions = {}) {
  const server = await startWsServer();
  const peer = connect(webSocket(server.url, { heartbeat: false }), { timeout: 2_000, ...options });
  peers.push(peer);
  const { socket } = await server.accepted();
  const reported: RpcError[] = [];
  const traced: TraceEvent[] = [];
  peer.errors$.subscribe((e) => reported.push(e));
  peer.trace$.subscribe((e) => traced.push(e));
  await firstValueFrom(peer.state$.pipe(filter((s) => s.status === 'open')));
  const next = async () => JSON.parse(String((await once(socket, 'message'))[0])) as { id?: number; method?: string };
  const send = (message: unknown) => socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  /** The link still works: a fresh call is answered. */
  const stillWorks = async () => {
    const call = peer.request('ping');
    const { id } = await next();
    send({ jsonrpc: '2.0', id, result: 'pong' });
    await expect(call).resolves.toBe('pong');
  };
  return { peer, socket: socket as WebSocket, next, send, reported, traced, stillWorks };
}

const tracedErrors = (traced: TraceEvent[]) => traced.filter((e) => e.kind === 'error').length;

describe('a server that', () => {
  it('omits result: the call fails with ProtocolError, or answers null when lenient', async () => {
    const strict = await quirky();
    const call = strict.peer.request('void.method').catch((e: unknown) => e);
    strict.send({ jsonrpc: '2.0', id: (await strict.next()).id });
    expect(await call).toBeInstanceOf(ProtocolError);
    expect(strict.reported).toHaveLength(1);
    expect(tracedErrors(strict.traced)).toBe(1);
    await strict.stillWorks();

    const lenient = await quirky({ lenient: { missingResult: true } });
    const answered = lenient.peer.request('void.method');
    lenient.send({ jsonrpc: '2.0', id: (await lenient.next()).id });
    await expect(answered).resolves.toBeNull();
  });

  it.each([
    ['a fractional code', 1.5, 1.5],
    ['a string code', '404', 404],
    ['a code that is no number', 'oops', -32603],
  ])('sends an error with %s: ProtocolError, or a JsonRpcError when lenient', async (_, code, lenientCode) => {
    const strict = await quirky();
    const call = strict.peer.request('m').catch((e: unknown) => e);
    strict.send({ jsonrpc: '2.0', id: (await strict.next()).id, error: { code, message: 'bad' } });
    expect(await call).toBeInstanceOf(ProtocolError);

    const lenient = await quirky({ lenient: { errorCodes: true } });
    const failed = lenient.peer.request('m').catch((e: unknown) => e);
    lenient.send({ jsonrpc: '2.0', id: (await lenient.next()).id, error: { code, message: 'bad' } });
    expect(await failed).toMatchObject({ name: 'JsonRpcError', code: lenientCode, remoteMessage: 'bad' });
  });

  it('adds a stack and nested data to its errors: the data arrives whole, the stack stays out', async () => {
    const { peer, next, send } = await quirky();
    const call = peer.request('m').catch((e: unknown) => e);
    const data = { details: { deep: [1, { deeper: true }] } };
    send({
      jsonrpc: '2.0',
      id: (await next()).id,
      error: { code: 500, message: 'boom', stack: 'Error: boom\n at server.js:1', data },
    });
    const error = (await call) as JsonRpcError;
    expect(error).toBeInstanceOf(JsonRpcError);
    expect(error.data).toEqual(data);
    expect(JSON.stringify(error.toJSON())).not.toContain('server.js');
  });

  it('answers a notification with id null and -32600: reported, nothing resolved', async () => {
    const { peer, next, send, reported, stillWorks } = await quirky();
    const waiting = peer.request('other').catch((e: unknown) => e);
    await next();
    peer.notify('log', ['x']);
    await next();
    send({ jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Invalid Request' } });
    await firstValueFrom(peer.errors$);
    expect(reported[0]).toMatchObject({ message: 'Error response without an id: -32600 Invalid Request' });
    // The call waiting for its own answer is not the one a stray error settles.
    expect(peer.pendingCount).toBe(1);
    await stillWorks();
    expect(await Promise.race([waiting, 'still waiting'])).toBe('still waiting');
  });

  it('answers a notification with a result: reported as invalid, nothing resolved', async () => {
    const { peer, next, send, reported, stillWorks } = await quirky();
    peer.notify('log');
    await next();
    send({ jsonrpc: '2.0', id: null, result: 'ok' });
    await firstValueFrom(peer.errors$);
    expect(reported[0]!.message).toMatch(/^Invalid message: a successful response needs a non-null "id"/);
    await stillWorks();
  });

  it('answers a batch with a single error object: the batch is refused, its members fail with that error at once', async () => {
    const { peer, next, send, reported, traced, stillWorks } = await quirky({ timeout: 30_000 });
    const results = batch(peer, (b) => [b.request('a'), b.request('b')]);
    const sent = (await next()) as unknown as { id: number }[];
    send({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32005, message: 'batch size exceed limit 1', data: { limit: 1 } },
    });
    const [a, b] = await results;
    for (const [index, member] of [a, b].entries()) {
      const [id, method] = [sent[index]!.id, ['a', 'b'][index]];
      expect(member).toMatchObject({
        ok: false,
        error: {
          name: 'JsonRpcError',
          code: -32005,
          message: `Request ${id} (${method}) failed: batch size exceed limit 1 (-32005)`,
          data: { limit: 1 },
        },
      });
    }
    expect(reported.map((e) => e.message)).toEqual([
      `Error response without an id: -32005 batch size exceed limit 1; taken as refusing our oldest unanswered batch: calls ${sent[0]!.id}, ${sent[1]!.id} fail with it`,
    ]);
    expect(tracedErrors(traced)).toBe(1);
    expect(peer.pendingCount).toBe(0);
    await stillWorks();
  });

  it('sends []: answered with Invalid Request and reported, the link stays', async () => {
    const { next, send, reported, stillWorks } = await quirky();
    send('[]');
    expect(await next()).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Invalid Request' } });
    expect(reported[0]!.message).toBe('Invalid request: an empty batch');
    await stillWorks();
  });

  it('reuses our id numbers for its own requests: request and response told apart by method', async () => {
    const { peer, next, send } = await quirky();
    peer.handle('server.asks', () => 'our answer');
    const call = peer.request('client.asks');
    const { id } = await next();
    send({ jsonrpc: '2.0', id, method: 'server.asks' });
    expect(await next()).toEqual({ jsonrpc: '2.0', id, result: 'our answer' });
    send({ jsonrpc: '2.0', id, result: 'their answer' });
    await expect(call).resolves.toBe('their answer');
  });

  it('sends objects that are not JSON-RPC on the same socket: reported, not answered', async () => {
    const { send, reported, traced, stillWorks } = await quirky();
    send({ event: 'price', data: { symbol: 'EUR', price: 1.08 } });
    await stillWorks();
    expect(reported[0]!.message).toMatch(/^Invalid message: "jsonrpc" must be "2.0", got nothing/);
    expect(traced.filter((e) => e.kind === 'out')).toHaveLength(1);
  });

  it('sends a binary frame: reported, dropped, the link stays', async () => {
    const { socket, reported, stillWorks } = await quirky();
    socket.send(Buffer.from('{"jsonrpc":"2.0","method":"binary"}'));
    await stillWorks();
    expect(reported[0]!.message).toMatch(/^Binary frame of 35 bytes ignored/);
  });

  it('answers a cancelled call late: dropped quietly', async () => {
    const { peer, next, send, reported, stillWorks } = await quirky();
    const subscription = peer.request$('slow').subscribe({ error: () => undefined });
    const { id } = await next();
    subscription.unsubscribe();
    send({ jsonrpc: '2.0', id, result: 'too late' });
    await stillWorks();
    expect(reported).toEqual([]);
  });

  it('echoes "1" for 1: reported as unknown and the call waits, or routed when lenient', async () => {
    const strict = await quirky({ timeout: 100 });
    const call = strict.peer.request('m').catch((e: unknown) => e);
    const { id } = await strict.next();
    strict.send({ jsonrpc: '2.0', id: String(id), result: 'wrong type' });
    expect(await call).toMatchObject({ name: 'RequestTimeoutError' });
    expect(strict.reported[0]!.message).toBe(`Response for unknown id "${id}"`);

    const lenient = await quirky({ lenient: { idTypes: true } });
    const routed = lenient.peer.request('m');
    const sent = await lenient.next();
    lenient.send({ jsonrpc: '2.0', id: String(sent.id), result: 'right call' });
    await expect(routed).resolves.toBe('right call');
  });
});
