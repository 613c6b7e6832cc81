import { EMPTY, Observable, of, Subject, throwError, VirtualTimeScheduler } from 'rxjs';
import { Answering } from '../../lib/peer/answerer/answer';
import { FrameCost } from '../../lib/peer/answerer/answering-limits';
import { HandlerRegistry } from '../../lib/peer/answerer/handlers';
import { Feed } from '../../lib/transports/feed';
import { HandlerError, JsonRpcError, ProtocolError, type IncomingRequest, type RpcError } from 'rx-jsonrpc';
import { closeAll, peerPair, peerWithRawServer } from '../helpers/memory-peers';
import { settle } from '../helpers/raw-end';

afterEach(closeAll);

/** A peer with one handler, and a raw other end to call it. */
async function serving(method: string, handler: (params: never, context: never) => unknown) {
  const setup = await peerWithRawServer();
  setup.peer.handle(method, handler as never);
  const reported: RpcError[] = [];
  setup.peer.errors$.subscribe((e) => reported.push(e));
  const call = async (params?: unknown, id: unknown = 1) => {
    setup.raw.send({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) });
    return setup.raw.next();
  };
  return { ...setup, call, reported };
}

describe('answering a request', () => {
  describe('with the handler result', () => {
    it.each([
      ['a value', () => 42, 42],
      ['a Promise', async () => 'later', 'later'],
      ['an Observable (its first value)', () => of('first', 'second'), 'first'],
      ['undefined (sent as null)', () => undefined, null],
      ['an Observable with no value (sent as null)', () => EMPTY, null],
      ['false', () => false, false],
    ])('answers %s', async (_, handler, result) => {
      const { call } = await serving('m', handler);
      expect(await call([1])).toEqual({ jsonrpc: '2.0', id: 1, result });
    });

    it('passes the params as sent: an array, an object, or undefined', async () => {
      const seen: unknown[] = [];
      const { call } = await serving('m', (params: unknown) => seen.push(params));
      await call([1, 2]);
      await call({ a: 1 }, 2);
      await call(undefined, 3);
      expect(seen).toEqual([[1, 2], { a: 1 }, undefined]);
    });

    it('gives the handler a context with the peer, method and id', async () => {
      let seen: { method?: string; id?: unknown; hasPeer?: boolean } = {};
      const { call, peer } = await serving(
        'm',
        (_: unknown, context: { method: string; id: unknown; peer: unknown }) => {
          seen = { method: context.method, id: context.id, hasPeer: context.peer === peer };
        },
      );
      await call([], 'abc');
      expect(seen).toEqual({ method: 'm', id: 'abc', hasPeer: true });
    });

    it('gives the handler the call it serves: method, id, and no id for a notification', async () => {
      const { peer, raw } = await peerWithRawServer();
      const seen: unknown[] = [];
      peer.handle('look', (_params, context) => {
        seen.push([context.method, context.id]);
        return 'ok';
      });
      raw.send({ jsonrpc: '2.0', id: 'x', method: 'look' });
      raw.send({ jsonrpc: '2.0', method: 'look' });
      await raw.next();
      await settle();
      expect(seen).toEqual([
        ['look', 'x'],
        ['look', undefined],
      ]);
    });

    it('answers a request whose id is null with id null', async () => {
      const { call } = await serving('m', () => 'ok');
      expect(await call([], null)).toEqual({ jsonrpc: '2.0', id: null, result: 'ok' });
    });

    it('unsubscribes from an Observable result after its first value', async () => {
      let unsubscribed = false;
      const source = new Subject<number>();
      const { call } = await serving(
        'm',
        () =>
          new Observable<number>((subscriber) => {
            const s = source.subscribe(subscriber);
            return () => {
              unsubscribed = true;
              s.unsubscribe();
            };
          }),
      );
      const answer = call();
      await settle();
      source.next(7);
      expect(await answer).toEqual({ jsonrpc: '2.0', id: 1, result: 7 });
      expect(unsubscribed).toBe(true);
    });

    it('lets the handler call back the caller before answering', async () => {
      const { client, server } = peerPair();
      client.handle('ui.confirm', ({ text }: { text: string }) => text.endsWith('?'));
      server.handle('order.place', async (_params, { peer }) =>
        (await peer.request('ui.confirm', { text: 'Buy?' })) ? 'placed' : 'cancelled',
      );
      await expect(client.request('order.place')).resolves.toBe('placed');
    });
  });

  describe('when the handler fails', () => {
    it('answers with the code, message and data of a thrown JsonRpcError', async () => {
      const { call, reported } = await serving('m', () => {
        throw new JsonRpcError(-32602, 'Invalid params', { expected: 'number' });
      });
      expect(await call()).toEqual({
        jsonrpc: '2.0',
        id: 1,
        error: { code: -32602, message: 'Invalid params', data: { expected: 'number' } },
      });
      expect(reported).toEqual([]);
    });

    it.each([
      [
        'throws',
        () => {
          throw new Error('disk on fire');
        },
      ],
      ['rejects', () => Promise.reject(new Error('disk on fire'))],
      ['errors its Observable', () => throwError(() => new Error('disk on fire'))],
    ])('answers -32603 without details when it %s, and reports a HandlerError', async (_, handler) => {
      const { call, reported } = await serving('m', handler);
      const answer = await call();
      expect(answer).toEqual({ jsonrpc: '2.0', id: 1, error: { code: -32603, message: 'Internal error' } });
      expect(JSON.stringify(answer)).not.toContain('disk on fire');
      expect(reported).toHaveLength(1);
      expect(reported[0]).toBeInstanceOf(HandlerError);
      expect(reported[0]!.message).toBe('Handler of m (request 1) failed: disk on fire');
      expect((reported[0]!.cause as Error).message).toBe('disk on fire');
    });

    it('answers -32603 and reports a ProtocolError for a result that cannot be serialised', async () => {
      const { call, reported } = await serving('m', () => ({ big: 1n }));
      expect(await call()).toEqual({ jsonrpc: '2.0', id: 1, error: { code: -32603, message: 'Internal error' } });
      expect(reported[0]).toBeInstanceOf(ProtocolError);
      expect(reported[0]!.message).toMatch(/^Answer to request 1 cannot be serialised to JSON/);
    });

    it('keeps serving after a failure', async () => {
      let calls = 0;
      const { call } = await serving('m', () => {
        if (calls++ === 0) throw new Error('once');
        return 'fine';
      });
      await call();
      expect(await call([], 2)).toEqual({ jsonrpc: '2.0', id: 2, result: 'fine' });
    });
  });

  describe('without a handler', () => {
    it.each(['missing', '__proto__', 'constructor', 'toString', 'hasOwnProperty'])(
      'answers %s with -32601 Method not found',
      async (method) => {
        const { raw } = await peerWithRawServer();
        raw.send({ jsonrpc: '2.0', id: 5, method });
        expect(await raw.next()).toEqual({
          jsonrpc: '2.0',
          id: 5,
          error: { code: -32601, message: 'Method not found' },
        });
      },
    );

    it('emits it on requests$ while someone subscribes, to be answered once', async () => {
      const { peer, raw } = await peerWithRawServer();
      const seen: IncomingRequest[] = [];
      peer.requests$.subscribe((request) => {
        seen.push(request);
        request.respond({ echoed: request.params });
        request.respond('ignored second answer');
      });
      raw.send({ jsonrpc: '2.0', id: 9, method: 'free', params: [1] });
      expect(await raw.next()).toEqual({ jsonrpc: '2.0', id: 9, result: { echoed: [1] } });
      expect(seen.map((r) => [r.id, r.method])).toEqual([[9, 'free']]);
      await settle();
      expect(raw.received).toHaveLength(1);
    });

    it('lets a requests$ subscriber answer with an error', async () => {
      const { peer, raw } = await peerWithRawServer();
      peer.requests$.subscribe((request) => request.respondError(new JsonRpcError(1, 'nope')));
      raw.send({ jsonrpc: '2.0', id: 'x', method: 'free' });
      expect(await raw.next()).toEqual({ jsonrpc: '2.0', id: 'x', error: { code: 1, message: 'nope' } });
    });

    it('answers null for a requests$ respond() without a result', async () => {
      const { peer, raw } = await peerWithRawServer();
      peer.requests$.subscribe((incoming) => incoming.respond(undefined));
      raw.send({ jsonrpc: '2.0', id: 1, method: 'anything', params: [] });
      expect(await raw.next()).toEqual({ jsonrpc: '2.0', id: 1, result: null });
    });
  });

  describe('a notification', () => {
    it('runs the handler, sends nothing, and reports a failure', async () => {
      const seen: unknown[] = [];
      const { raw, reported } = await serving('log', (params: unknown) => {
        seen.push(params);
        throw new Error('bad log');
      });
      raw.send({ jsonrpc: '2.0', method: 'log', params: ['hi'] });
      await settle();
      expect(seen).toEqual([['hi']]);
      expect(raw.received).toEqual([]);
      expect(reported[0]).toMatchObject({
        name: 'HandlerError',
        message: 'Handler of log (notification) failed: bad log',
      });
    });
  });
});

describe('a notification whose handler throws a JsonRpcError', () => {
  it('is reported, as nobody can be answered', async () => {
    const { raw, reported } = await serving('log', () => {
      throw new JsonRpcError(1, 'rejected');
    });
    raw.send({ jsonrpc: '2.0', method: 'log' });
    await settle();
    expect(raw.received).toEqual([]);
    expect(reported[0]).toMatchObject({
      name: 'HandlerError',
      message: 'Handler of log (notification) failed: rejected',
    });
  });
});

describe('the handler context', () => {
  it('carries the connection info and a session shared by the calls of one peer', async () => {
    const { client, server } = peerPair({}, { session: { role: 'guest' } });
    server.handle('login', ({ user }: { user: string }, { session }) => {
      session.user = user;
      return true;
    });
    server.handle('whoami', (_p, { session, connection }) => ({ ...session, transport: connection?.transport }));
    await client.request('login', { user: 'ada' });
    await expect(client.request('whoami')).resolves.toEqual({ role: 'guest', user: 'ada', transport: 'memory' });
    expect(server.session).toEqual({ role: 'guest', user: 'ada' });
  });
});

describe('handleAll', () => {
  it('serves a tree of methods over the link', async () => {
    const { client, server } = peerPair();
    server.handleAll({ math: { sum: ([a, b]: number[]) => a! + b! }, ping: () => 'pong' });
    await expect(client.request('math.sum', [1, 2])).resolves.toBe(3);
    await expect(client.request('ping')).resolves.toBe('pong');
  });
});

describe('answeringCount', () => {
  it('counts the requests being answered', async () => {
    const { peer, raw } = await peerWithRawServer();
    let release!: () => void;
    peer.handle('wait', () => new Promise<void>((resolve) => (release = resolve)));
    raw.send({ jsonrpc: '2.0', id: 1, method: 'wait' });
    await settle();
    expect(peer.answeringCount).toBe(1);
    release();
    await raw.next();
    expect(peer.answeringCount).toBe(0);
  });
});

describe('Answering.stop', () => {
  it('cancels the deadlines still ticking, so nothing fires after the peer closed', () => {
    const scheduler = new VirtualTimeScheduler();
    const reported: RpcError[] = [];
    const answers: unknown[] = [];
    const handlers = new HandlerRegistry();
    handlers.register('hang', () => new Promise(() => undefined));
    const answering = new Answering({
      handlers,
      contextFor: (call) => ({ method: call.method }) as never,
      report: (error) => reported.push(error),
      handlerTimeout: 1_000,
      concurrency: Infinity,
      maxCalls: Infinity,
      maxBytes: Infinity,
      cancel: undefined,
      scheduler,
      unhandled: new Feed<IncomingRequest>(),
    });
    answering.answer({ jsonrpc: '2.0', id: 1, method: 'hang' }, (answer) => answers.push(answer), new FrameCost(40));
    answering.stop();
    scheduler.flush();
    expect(reported).toEqual([]);
    expect(answers).toEqual([]);
  });
});
