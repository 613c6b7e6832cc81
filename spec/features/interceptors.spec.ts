// The `interceptors` option: every call the peer makes goes through them, first listed outermost.
import { catchError, finalize, firstValueFrom, lastValueFrom, map, of, retry, tap, throwError, toArray } from 'rxjs';
import {
  batch$,
  connect,
  createProxy,
  generic,
  JsonRpcError,
  memoryPair,
  requestWithProgress$,
  subscription$,
  type InterceptedCall,
  type Interceptor,
  type JsonRpcId,
  type Peer,
} from 'rx-jsonrpc';
import { closeAll, peerPair, peerWithRawServer } from '../helpers/memory-peers';
import { observe } from '../helpers/observe';
import { settle } from '../helpers/raw-end';

afterEach(closeAll);

interface MathApi {
  calls: { 'math.sum': (params: [number, number]) => number };
}

/** A server peer with a few methods, and a client peer calling it through `interceptors`. */
function withServer(interceptors: Interceptor[], options: { dialect?: ReturnType<typeof generic> } = {}) {
  const { client, server } = peerPair({ interceptors, ...options }, options);
  server.handle('echo', (params) => params);
  server.handle('math.sum', ([a, b]: [number, number]) => a + b);
  return { client, server };
}

/** Records what an interceptor named `name` sees, in `log`. */
const logging =
  (name: string, log: string[]): Interceptor =>
  (call, next) => {
    log.push(`${name} sees ${call.method}`);
    return next(call).pipe(tap((result) => log.push(`${name} gets ${JSON.stringify(result)}`)));
  };

describe('interceptors', () => {
  it('run in the order listed on the way out, and in reverse on the way back', async () => {
    const log: string[] = [];
    const { client } = withServer([logging('first', log), logging('second', log), logging('third', log)]);
    expect(await client.request('math.sum', [1, 2])).toBe(3);
    expect(log).toEqual([
      'first sees math.sum',
      'second sees math.sum',
      'third sees math.sum',
      'third gets 3',
      'second gets 3',
      'first gets 3',
    ]);
  });

  it('run once per subscription, and not before: request$ stays cold', async () => {
    const log: string[] = [];
    const { client } = withServer([logging('only', log)]);
    const sum$ = client.request$('math.sum', [1, 2]);
    await settle();
    expect(log).toEqual([]);
    expect(await firstValueFrom(sum$)).toBe(3);
    expect(await firstValueFrom(sum$)).toBe(3);
    expect(log.filter((line) => line.includes('sees'))).toHaveLength(2);
  });

  it('send the params an interceptor rewrites, which the server receives', async () => {
    const token = 'secret';
    const { client } = withServer([(call, next) => next({ ...call, params: { ...call.params, token } })]);
    expect(await client.request('echo', { text: 'hi' })).toEqual({ text: 'hi', token: 'secret' });
  });

  it('see the method, params and options of the call, context included, and send no context', async () => {
    const seen: InterceptedCall[] = [];
    const { peer, raw } = await peerWithRawServer({
      interceptors: [
        (call, next) => {
          seen.push(call);
          return next(call);
        },
      ],
    });
    const options = { timeout: 1_000, context: { anonymous: true } };
    const call = observe(peer.request$('auth.login', { user: 'ada' }, options));
    expect(seen).toEqual([{ method: 'auth.login', params: { user: 'ada' }, options }]);
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', id: 1, method: 'auth.login', params: { user: 'ada' } });
    raw.send({ jsonrpc: '2.0', id: 1, result: 'ok' });
    expect(await call.next()).toBe('ok');
  });

  it("change a call's options: a timeout set by an interceptor applies", async () => {
    const { client, server } = withServer([
      (call, next) => next({ ...call, options: { ...call.options, timeout: 20 } }),
    ]);
    server.handle('never', () => new Promise(() => undefined));
    await expect(client.request('never')).rejects.toThrow('Request 1 (never) timed out after 20 ms');
  });

  it('map errors: the caller sees what the interceptor makes of a remote error', async () => {
    class NotAllowed extends Error {
      override readonly name = 'NotAllowed';
    }
    const { client, server } = withServer([
      (call, next) =>
        next(call).pipe(
          catchError((error: unknown) =>
            throwError(() =>
              error instanceof JsonRpcError && error.code === 403
                ? new NotAllowed(`${call.method} is not allowed`, { cause: error })
                : error,
            ),
          ),
        ),
    ]);
    server.handle('admin.wipe', () => {
      throw new JsonRpcError(403, 'Forbidden');
    });
    const error: unknown = await client.request('admin.wipe').catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(NotAllowed);
    expect((error as NotAllowed).message).toBe('admin.wipe is not allowed');
    expect((error as NotAllowed).cause).toBeInstanceOf(JsonRpcError);
    // Other errors pass unchanged.
    await expect(client.request('missing')).rejects.toThrow(JsonRpcError);
  });

  it('retry: re-subscribing next(call) sends the call again, with a new id', async () => {
    const ids: JsonRpcId[] = [];
    let tries = 0;
    const { client, server } = withServer([
      (call, next) => next(call).pipe(retry(2)),
      (call, next) => next({ ...call, options: { ...call.options, onId: (id) => ids.push(id) } }),
    ]);
    server.handle('flaky', () => {
      if (++tries < 3) throw new JsonRpcError(-32000, `busy (${tries})`);
      return `after ${tries} tries`;
    });
    expect(await client.request('flaky')).toBe('after 3 tries');
    expect(ids).toEqual([1, 2, 3]);
    expect(client.pendingCount).toBe(0);
  });

  it('answer without calling next: nothing is sent', async () => {
    const { peer, raw } = await peerWithRawServer({
      interceptors: [(call, next) => (call.method === 'cached' ? of('from the cache') : next(call))],
    });
    expect(await peer.request('cached')).toBe('from the cache');
    await settle();
    expect(raw.received).toEqual([]);
  });

  describe('when the caller unsubscribes', () => {
    it("abandons the call below them: the server's handler is aborted", async () => {
      const log: string[] = [];
      const { client, server } = withServer([(call, next) => next(call).pipe(finalize(() => log.push('finalized')))], {
        dialect: generic(),
      });
      let started!: () => void;
      const running = new Promise<void>((resolve) => (started = resolve));
      const aborted = new Promise<unknown>((resolve) =>
        server.handle('slow', (_params, { signal }) => {
          signal.addEventListener('abort', () => resolve(signal.reason));
          started();
          return new Promise(() => undefined);
        }),
      );
      const call = observe(client.request$('slow', {}));
      await running;
      call.unsubscribe();
      expect(log).toEqual(['finalized']);
      expect(client.pendingCount).toBe(0);
      expect(await aborted).toBeDefined();
      await settle();
      expect(server.answeringCount).toBe(0);
    });
  });

  describe('when an interceptor throws synchronously', () => {
    it('fails that call only, with what it threw', async () => {
      const { client } = withServer([
        (call, next) => {
          if (call.method === 'echo') throw new Error('no echo today');
          return next(call);
        },
      ]);
      const [echo, sum] = await Promise.allSettled([client.request('echo', ['x']), client.request('math.sum', [2, 2])]);
      expect(echo).toEqual({ status: 'rejected', reason: new Error('no echo today') });
      expect(sum).toEqual({ status: 'fulfilled', value: 4 });
      expect(await client.request('math.sum', [1, 1])).toBe(2);
    });

    it('throws at subscription, not when the call is made', () => {
      const { client } = withServer([
        () => {
          throw new Error('refused');
        },
      ]);
      let call$ = client.request$('echo');
      expect(() => (call$ = client.request$('echo'))).not.toThrow();
      return expect(firstValueFrom(call$)).rejects.toThrow('refused');
    });
  });

  describe('see the calls of what is built on request$', () => {
    it('createProxy', async () => {
      const log: string[] = [];
      const link = memoryPair();
      const server = connect(link.server);
      server.handle('math.sum', ([a, b]: [number, number]) => a + b);
      const client = connect<MathApi>(link.client, { interceptors: [logging('proxy', log)] });
      expect(await firstValueFrom(createProxy(client).math.sum(20, 22))).toBe(42);
      await Promise.all([client.close(), server.close()]);
      expect(log).toEqual(['proxy sees math.sum', 'proxy gets 42']);
    });

    it('batch$: each member, still in one frame', async () => {
      const log: string[] = [];
      const { peer, raw } = await peerWithRawServer({ interceptors: [logging('batch', log)] });
      const results = observe(batch$(peer, (b) => [b.request('a'), b.request('b'), b.notify('c')]));
      const frame = (await raw.next()) as { id?: number; method: string }[];
      expect(frame.map((message) => message.method)).toEqual(['a', 'b', 'c']);
      raw.send(frame.filter((m) => m.id !== undefined).map((m) => ({ jsonrpc: '2.0', id: m.id, result: m.method })));
      expect(await results.next()).toEqual([
        { ok: true, value: 'a' },
        { ok: true, value: 'b' },
        { ok: true, value: undefined },
      ]);
      expect(log).toEqual(['batch sees a', 'batch sees b', 'batch gets "a"', 'batch gets "b"']);
    });

    it("subscription$'s subscribe call, not its notifications", async () => {
      const log: string[] = [];
      const { client, server } = withServer([logging('sub', log)]);
      server.handle('watch', () => 'sub-1');
      const values = observe(subscription$(client, 'watch', [], { notification: 'update' }));
      await settle();
      server.notify('update', { subscription: 'sub-1', result: 1 });
      expect(await values.next()).toBe(1);
      expect(log).toEqual(['sub sees watch', 'sub gets "sub-1"']);
      values.unsubscribe();
    });
  });

  it('leave notifications alone', async () => {
    const seen: string[] = [];
    const { client, server } = withServer([
      (call, next) => {
        seen.push(call.method);
        return next(call);
      },
    ]);
    const received = lastValueFrom(server.notifications$('log').pipe(map(String), toArray()));
    client.notify('log', ['hello']);
    await settle();
    void server.close();
    expect(await received).toEqual(['hello']);
    expect(seen).toEqual([]);
  });

  it('see a call with progress, its context passed on', async () => {
    const seen: unknown[] = [];
    const { client, server } = withServer([
      (call, next) => {
        seen.push([call.method, call.options?.context]);
        return next(call);
      },
    ]);
    server.handle('build', (_params, { progress }) => {
      progress('half');
      return 'built';
    });
    const events = await lastValueFrom(
      requestWithProgress$(client, 'build', {}, { context: { once: true } }).pipe(toArray()),
    );
    expect(events.at(-1)).toEqual({ kind: 'result', result: 'built' });
    expect(seen).toEqual([['build', { once: true }]]);
  });

  it('with an empty list, calls go straight out', async () => {
    const { client }: { client: Peer } = withServer([]);
    expect(await client.request('math.sum', [1, 2])).toBe(3);
  });
});
