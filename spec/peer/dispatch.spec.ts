import { firstValueFrom } from 'rxjs';
import { JsonRpcError, ProtocolError, type RpcError, type TraceEvent } from 'rx-jsonrpc';
import { closeAll, peerWithRawServer } from '../helpers/memory-peers';
import { observe } from '../helpers/observe';
import { settle } from '../helpers/raw-end';

afterEach(closeAll);

/** A peer whose other end is raw, with what the peer reports collected. */
async function watched() {
  const setup = await peerWithRawServer();
  const reported: RpcError[] = [];
  setup.peer.errors$.subscribe((e) => reported.push(e));
  return { ...setup, reported };
}

const invalidRequest = (id: unknown = null) => ({
  jsonrpc: '2.0',
  id,
  error: { code: -32600, message: 'Invalid Request' },
});

describe('incoming frames', () => {
  describe('that are not JSON', () => {
    it('are answered with a Parse error (id null) and reported, and the peer keeps working', async () => {
      const { peer, raw, reported } = await watched();
      raw.send('{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]');
      expect(await raw.next()).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
      expect(reported[0]).toBeInstanceOf(ProtocolError);
      expect(reported[0]!.message).toMatch(/^Invalid JSON in frame: \{"jsonrpc": "2.0", "method": "foobar/);
      expect(reported[0]!.cause).toBeInstanceOf(SyntaxError);
      const call = peer.request('still.alive');
      raw.send({ jsonrpc: '2.0', id: 1, result: 'yes' });
      await expect(call).resolves.toBe('yes');
    });
  });

  describe('that are text lines, with lenient textFrames', () => {
    it('are reported and not answered', async () => {
      const { peer, raw } = await peerWithRawServer({ lenient: { textFrames: true } });
      const reported = firstValueFrom(peer.errors$);
      raw.send('Server starting on port 3000...');
      expect((await reported).message).toBe('Invalid JSON in frame: Server starting on port 3000...');
      await settle();
      expect(raw.received).toEqual([]);
    });
  });

  describe('that are JSON but not a message object', () => {
    it.each([['5'], ['"text"'], ['null'], ['true']])('answer %s with Invalid Request (id null)', async (frame) => {
      const { raw, reported } = await watched();
      raw.send(frame);
      expect(await raw.next()).toEqual(invalidRequest());
      expect(reported[0]!.message).toMatch(/^Invalid request: expected a JSON-RPC message object/);
    });

    it('report an object that is neither call nor response, without answering it', async () => {
      const { raw, reported } = await watched();
      raw.send({ event: 'price', value: 3 });
      await settle();
      expect(raw.received).toEqual([]);
      expect(reported[0]!.message).toBe(
        'Invalid message: "jsonrpc" must be "2.0", got nothing: {"event":"price","value":3} (to receive messages that are not JSON-RPC, listen to foreign$)',
      );
    });
  });

  describe('that are invalid requests', () => {
    it.each([
      [
        'params neither array nor object',
        { jsonrpc: '2.0', id: 3, method: 'm', params: 5 },
        3,
        '"params" must be an array or an object, got number 5',
      ],
      [
        'a method that is not a string',
        { jsonrpc: '2.0', id: 3, method: 1, params: 'bar' },
        3,
        '"method" must be a string, got number 1',
      ],
      ['jsonrpc "1.0"', { jsonrpc: '1.0', id: 3, method: 'm' }, 3, '"jsonrpc" must be "2.0", got string "1.0"'],
      ['no jsonrpc member', { id: 3, method: 'm' }, 3, '"jsonrpc" must be "2.0", got nothing'],
      [
        'an object id',
        { jsonrpc: '2.0', id: { a: 1 }, method: 'm' },
        null,
        '"id" must be a string, a number or null, got an object',
      ],
      [
        'a boolean id',
        { jsonrpc: '2.0', id: true, method: 'm' },
        null,
        '"id" must be a string, a number or null, got boolean true',
      ],
    ])('answer one with %s with Invalid Request', async (_, message, id, reason) => {
      const { raw, reported } = await watched();
      raw.send(message);
      expect(await raw.next()).toEqual(invalidRequest(id));
      expect(reported[0]!.message).toBe(`Invalid request: ${reason}`);
    });
  });

  describe('that are invalid, and meant as a call (they have a method member)', () => {
    it.each([
      ['a legal number id', { id: 7, method: 5 }, 7],
      ['a string id, kept a string', { jsonrpc: '2.0', id: '7', method: 5 }, '7'],
      ['an id of 0', { id: 0, method: 'm' }, 0],
      ['no id', { method: 'm' }, null],
      ['a null id', { jsonrpc: '2.0', id: null, method: 5 }, null],
      ['a method of null', { jsonrpc: '2.0', id: 4, method: null }, 4],
    ])('answer one with %s with Invalid Request, naming that id', async (_, message, id) => {
      const { raw, reported } = await watched();
      raw.send(message);
      expect(await raw.next()).toEqual(invalidRequest(id));
      expect(reported[0]!.message).toMatch(/^Invalid request: /);
    });

    it('report, without answering, one meant as a response (a result, an error or an id, and no method)', async () => {
      const { raw, reported } = await watched();
      raw.send({ id: 99, result: 1 });
      raw.send({ result: 1 });
      raw.send({ error: {} });
      await settle();
      expect(raw.received).toEqual([]);
      expect(reported.map((e) => e.message)).toEqual([
        'Invalid message: "jsonrpc" must be "2.0", got nothing: {"id":99,"result":1}',
        'Invalid message: "jsonrpc" must be "2.0", got nothing: {"result":1}',
        'Invalid message: "jsonrpc" must be "2.0", got nothing: {"error":{}}',
      ]);
    });
  });

  describe('that are responses nobody waits for', () => {
    it('report an unknown id', async () => {
      const { raw, reported } = await watched();
      raw.send({ jsonrpc: '2.0', id: 99, result: 1 });
      await settle();
      expect(reported.map((e) => e.message)).toEqual(['Response for unknown id 99']);
      expect(raw.received).toEqual([]);
    });

    it('report an error response with id null, with the remote error as cause', async () => {
      const { raw, reported } = await watched();
      raw.send({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
      await settle();
      expect(reported[0]!.message).toBe('Error response without an id: -32700 Parse error');
      expect(reported[0]!.cause).toBeInstanceOf(JsonRpcError);
      expect(reported[0]!.cause).toMatchObject({ code: -32700 });
    });
  });

  describe('that are malformed responses to a pending call', () => {
    it.each([
      [
        'an error without a code',
        { jsonrpc: '2.0', id: 1, error: { message: 'oops' } },
        '"error" must be an object with an integer "code" and a string "message"',
      ],
      [
        'an error with a non-integer code',
        { jsonrpc: '2.0', id: 1, error: { code: 1.5, message: 'oops' } },
        '"error" must be an object with an integer "code" and a string "message"',
      ],
      ['neither result nor error', { jsonrpc: '2.0', id: 1 }, 'a response needs "result" or "error"'],
      [
        'both result and error',
        { jsonrpc: '2.0', id: 1, result: 1, error: { code: 1, message: 'x' } },
        'a response must not have both "result" and "error"',
      ],
    ])('error the call with ProtocolError for %s, and report it', async (_, response, reason) => {
      const { peer, raw, reported } = await watched();
      const call = firstValueFrom(peer.request$('m')).catch((e: unknown) => e);
      await raw.next();
      raw.send(response);
      const error = await call;
      expect(error).toBeInstanceOf(ProtocolError);
      expect((error as Error).message).toBe(
        `Request 1 (m) got an invalid response: ${reason}: ${JSON.stringify(response)}`,
      );
      expect(reported).toEqual([error]);
      expect(peer.pendingCount).toBe(0);
    });
  });

  describe('in a batch', () => {
    it('answer an empty batch with a single Invalid Request', async () => {
      const { raw, reported } = await watched();
      raw.send('[]');
      expect(await raw.next()).toEqual(invalidRequest());
      expect(reported[0]!.message).toBe('Invalid request: an empty batch');
    });

    it('answer each non-object member with Invalid Request, in one array', async () => {
      const { raw } = await watched();
      raw.send('[1,2,3]');
      expect(await raw.next()).toEqual([invalidRequest(), invalidRequest(), invalidRequest()]);
    });

    it('answer the requests, not the notifications, in one array frame', async () => {
      const { peer, raw } = await watched();
      const notes: unknown[] = [];
      peer.notifications$('note').subscribe((p) => notes.push(p));
      peer.handle('sum', (ns: number[]) => ns.reduce((a, b) => a + b, 0));
      peer.handle('slow', () => new Promise((resolve) => setTimeout(() => resolve('done'), 10)));
      raw.send([
        { jsonrpc: '2.0', method: 'slow', id: 'a' },
        { jsonrpc: '2.0', method: 'note', params: [1] },
        { jsonrpc: '2.0', method: 'sum', params: [1, 2, 4], id: 'b' },
        { foo: 'boo' },
        { jsonrpc: '2.0', method: 'missing', id: 'c' },
      ]);
      const answers = (await raw.next()) as { id: unknown }[];
      expect(answers).toHaveLength(4);
      expect(answers).toEqual(
        expect.arrayContaining([
          { jsonrpc: '2.0', id: 'a', result: 'done' },
          { jsonrpc: '2.0', id: 'b', result: 7 },
          invalidRequest(),
          { jsonrpc: '2.0', id: 'c', error: { code: -32601, message: 'Method not found' } },
        ]),
      );
      expect(notes).toEqual([[1]]);
      expect(raw.received).toHaveLength(1);
    });

    it('report, without answering, members that are malformed responses', async () => {
      const { raw, reported } = await watched();
      raw.send([
        { jsonrpc: '2.0', id: 98 },
        { jsonrpc: '2.0', id: 99, error: { message: 'no code' } },
      ]);
      await settle();
      expect(raw.received).toEqual([]);
      expect(reported.map((e) => e.message.split(':')[0])).toEqual(['Invalid message', 'Invalid message']);
    });

    it('answer each invalid member not meant as a response, with its id when legal, and report the others', async () => {
      const { raw, reported } = await watched();
      raw.send([{ result: 1 }, { error: {} }, { id: 9 }, { method: 'm', id: 1 }, { foo: 'boo' }, [{ id: 2 }], 5]);
      expect(await raw.next()).toEqual([invalidRequest(1), invalidRequest(), invalidRequest(), invalidRequest()]);
      await settle();
      expect(raw.received).toHaveLength(1);
      expect(reported.map((e) => e.message.split(':')[0])).toEqual([
        'Invalid message',
        'Invalid message',
        'Invalid message',
        'Invalid request in a batch',
        'Invalid request in a batch',
        'Invalid request in a batch',
        'Invalid request in a batch',
      ]);
    });

    it('answer nothing at all to a batch of notifications', async () => {
      const { peer, raw } = await watched();
      const notes: unknown[] = [];
      peer.notifications$().subscribe((n) => notes.push(n.method));
      raw.send([
        { jsonrpc: '2.0', method: 'a' },
        { jsonrpc: '2.0', method: 'b', params: {} },
      ]);
      await settle();
      expect(notes).toEqual(['a', 'b']);
      expect(raw.received).toEqual([]);
    });

    it('settle a batch of responses, in any order', async () => {
      const { peer, raw } = await watched();
      const calls = [peer.request('a'), peer.request('b'), peer.request('c')];
      for (let i = 0; i < 3; i++) await raw.next();
      raw.send([
        { jsonrpc: '2.0', id: 3, result: 'C' },
        { jsonrpc: '2.0', id: 1, result: 'A' },
        { jsonrpc: '2.0', id: 2, error: { code: 7, message: 'B failed' } },
      ]);
      const results = await Promise.allSettled(calls);
      expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
        'A',
        'Request 2 (b) failed: B failed (7)',
        'C',
      ]);
    });

    describe('over maxBatchSize', () => {
      it('answer with one Invalid Request (id null), run none of it, and report the size and the limit', async () => {
        const { peer, raw } = await peerWithRawServer({ maxBatchSize: 2 });
        const reported = observe(peer.errors$);
        let calls = 0;
        peer.handle('m', () => ++calls);
        const member = (id: number) => ({ jsonrpc: '2.0', id, method: 'm' });
        raw.send([member(1), member(2), member(3)]);
        expect(await raw.next()).toEqual(invalidRequest());
        expect(calls).toBe(0);
        expect(reported.values[0]).toBeInstanceOf(ProtocolError);
        expect(reported.values[0]!.message).toBe('Invalid request: a batch of 3 exceeds maxBatchSize (2)');
        raw.send([member(4), member(5)]);
        expect(await raw.next()).toEqual([
          { jsonrpc: '2.0', id: 4, result: 1 },
          { jsonrpc: '2.0', id: 5, result: 2 },
        ]);
      });

      it('refuse a batch of more than 1000 members by default', async () => {
        const { raw } = await peerWithRawServer();
        const note = { jsonrpc: '2.0', method: 'note' };
        raw.send(Array.from({ length: 1000 }, () => note));
        raw.send(Array.from({ length: 1001 }, () => note));
        expect(await raw.next()).toEqual(invalidRequest());
        await settle();
        expect(raw.received).toHaveLength(1);
      });
    });
  });

  describe('that are binary', () => {
    const bytes = (text: string) => new TextEncoder().encode(text);

    it('are reported and ignored by default', async () => {
      const { peer, raw } = await peerWithRawServer();
      const reported = observe(peer.errors$);
      peer.handle('m', () => 'answered');
      raw.connection.send(bytes('{"jsonrpc":"2.0","id":1,"method":"m"}') as never);
      await settle();
      expect(raw.received).toEqual([]);
      expect(reported.values.map((e) => e.message)).toEqual([
        "Binary frame of 37 bytes ignored: JSON-RPC frames are text (binaryFrames: 'utf8' decodes them)",
      ]);
    });

    it("are decoded as UTF-8 with binaryFrames: 'utf8'", async () => {
      const { peer, raw } = await peerWithRawServer({ binaryFrames: 'utf8' });
      peer.handle('m', () => 'answered');
      raw.connection.send(bytes('{"jsonrpc":"2.0","id":1,"method":"m"}') as never);
      expect(await raw.next()).toEqual({ jsonrpc: '2.0', id: 1, result: 'answered' });
    });

    it("are reported, with the decoder's error as cause, when they are not UTF-8", async () => {
      const { peer, raw } = await peerWithRawServer({ binaryFrames: 'utf8' });
      const reported = observe(peer.errors$);
      raw.connection.send(new Uint8Array([0x7b, 0xff, 0xfe]) as never);
      await settle();
      expect(raw.received).toEqual([]);
      expect(reported.values).toHaveLength(1);
      expect(reported.values[0]).toBeInstanceOf(ProtocolError);
      expect(reported.values[0]!.message).toBe('Binary frame of 3 bytes is not UTF-8');
      // Node's TextDecoder throws a TypeError of the host realm, not of the test's.
      expect((reported.values[0]!.cause as Error).name).toBe('TypeError');
    });
  });

  describe('that are nested too deeply to show', () => {
    it('are reported with a note in place of their excerpt', async () => {
      const { raw, reported } = await watched();
      const deep = '['.repeat(100_000) + '1' + ']'.repeat(100_000);
      raw.send(`{"jsonrpc":"2.0","id":true,"result":${deep}}`);
      await settle();
      expect(raw.received).toEqual([]);
      expect(reported.map((e) => e.message)).toEqual([
        'Invalid message: "id" must be a string or a number, got boolean true: (too deeply nested to show)',
      ]);
    });
  });

  describe('trace$', () => {
    it('shows every frame in and out, and each reported problem', async () => {
      const { peer, raw } = await watched();
      const trace: TraceEvent[] = [];
      peer.trace$.subscribe((event) => trace.push(event));
      const call = peer.request('m', [1]);
      await raw.next();
      raw.send({ jsonrpc: '2.0', id: 1, result: 2 });
      await call;
      raw.send('not json');
      await raw.next();
      expect(trace.map((e) => (e.kind === 'error' ? `error ${e.error.name}` : `${e.kind} ${String(e.frame)}`))).toEqual(
        [
          'out {"jsonrpc":"2.0","id":1,"method":"m","params":[1]}',
          'in {"jsonrpc":"2.0","id":1,"result":2}',
          'in not json',
          'error ProtocolError',
          'out {"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}',
        ],
      );
      expect(trace.every((e) => typeof e.at === 'number')).toBe(true);
    });
  });
});
