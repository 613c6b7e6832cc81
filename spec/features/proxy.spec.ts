import { inspect } from 'node:util';
import { format } from 'pretty-format';
import { firstValueFrom, isObservable } from 'rxjs';
import { createProxy, type Peer } from 'rx-jsonrpc';
import { closeAll, peerPair, peerWithRawServer } from '../helpers/memory-peers';
import { settle } from '../helpers/raw-end';

afterEach(closeAll);

/* eslint-disable @typescript-eslint/no-explicit-any -- an untyped proxy's paths are index signatures */
/** Reads an untyped proxy without `noUncheckedIndexedAccess` getting in the way. */
const any = (proxy: unknown): any => proxy;

/** The part of a peer a proxy uses. */
type ProxyTarget = Pick<Peer, 'request$' | 'notify'>;

/** A proxy over a target that records what it would send. */
function recording(separator?: string) {
  const sent: { kind: string; method: string; params: unknown }[] = [];
  const target: ProxyTarget = {
    request$: (method, params) => {
      sent.push({ kind: 'request', method, params });
      return firstValueFrom as never;
    },
    notify: (method, params) => void sent.push({ kind: 'notification', method, params }),
  };
  // A stand-in for a peer: the proxy uses nothing but request$ and notify.
  return { proxy: any(createProxy(target as Peer, separator)), sent };
}

/** The params a proxy call with these arguments sends. */
function paramsSentBy(args: readonly unknown[]): unknown {
  const { proxy, sent } = recording();
  proxy.method(...args);
  return sent[0]?.params;
}

describe('proxy', () => {
  it('sends the dotted path as the method, and returns a cold Observable', async () => {
    const { peer, raw } = await peerWithRawServer();
    const users$ = any(createProxy(peer)).app.users.getUsers(1, 'two');
    expect(isObservable(users$)).toBe(true);
    await settle();
    expect(raw.received).toEqual([]);
    users$.subscribe({ error: () => undefined });
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', id: 1, method: 'app.users.getUsers', params: [1, 'two'] });
  });

  describe('params', () => {
    it.each([
      ['no arguments', [], undefined],
      ['positional arguments', [1, 2], [1, 2]],
      ['a single plain object, as named params', [{ name: 'ada' }], { name: 'ada' }],
      ['a single array, as one positional param', [[1, 2]], [[1, 2]]],
      ['an object among others, positionally', [{ a: 1 }, 2], [{ a: 1 }, 2]],
      ['a single class instance, positionally', [new Date(0)], [new Date(0)]],
    ])('sends %s', (_, args, expected) => {
      expect(paramsSentBy(args)).toEqual(expected);
    });

    it('sends a single object made by {} or Object.create(null) as named params, itself', () => {
      const plain = {};
      const bare: unknown = Object.create(null);
      expect(paramsSentBy([plain])).toBe(plain);
      expect(paramsSentBy([bare])).toBe(bare);
    });

    it('sends any other single value as one positional param, without throwing', () => {
      const values = [null, undefined, 1, 'x', [], new Date(), new Map()];
      expect(values.map((value) => paramsSentBy([value]))).toEqual(values.map((value) => [value]));
    });

    it('sends exact params with $call', () => {
      const { proxy, sent } = recording();
      proxy.users.find.$call([{ name: 'ada' }]);
      proxy.users.all.$call();
      expect(sent).toEqual([
        { kind: 'request', method: 'users.find', params: [{ name: 'ada' }] },
        { kind: 'request', method: 'users.all', params: undefined },
      ]);
    });
  });

  it('sends notifications with $notify', async () => {
    const { peer, raw } = await peerWithRawServer();
    any(createProxy(peer)).log.write.$notify('hello', 2);
    any(createProxy(peer)).ui.ping.$notify({ at: 1 });
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', method: 'log.write', params: ['hello', 2] });
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', method: 'ui.ping', params: { at: 1 } });
  });

  it('uses the separator given', async () => {
    const { peer, raw } = await peerWithRawServer();
    any(createProxy(peer, '/'))
      .users.get(7)
      .subscribe({ error: () => undefined });
    expect(await raw.next()).toMatchObject({ method: 'users/get', params: [7] });
  });

  it('answers through real peers', async () => {
    const { client, server } = peerPair();
    server.handleAll({ math: { sum: ([a, b]: number[]) => a! + b! } });
    await expect(firstValueFrom(any(createProxy(client)).math.sum(2, 3))).resolves.toBe(5);
  });

  describe('is safe to pass around', () => {
    it('is not a thenable at any level, so await sends nothing', async () => {
      const { proxy, sent } = recording();
      expect(proxy.then).toBeUndefined();
      expect(proxy.users.then).toBeUndefined();
      const users = proxy.users;
      expect(await proxy).toBe(proxy);
      expect(await users).toBe(users);
      expect(sent).toEqual([]);
    });

    it('sends nothing when printed by console.log, util.inspect, String or JSON', () => {
      const { proxy, sent } = recording();
      const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
      console.log(proxy.users);
      log.mockRestore();
      expect(inspect(proxy.users.get)).toBe('[JSON-RPC proxy users.get]');
      expect(String(proxy.users)).toBe('[JSON-RPC proxy users]');
      expect(`${proxy.a.b}`).toBe('[JSON-RPC proxy a.b]');
      expect(JSON.stringify({ api: proxy.users })).toBe('{"api":"[JSON-RPC proxy users]"}');
      expect(Object.prototype.toString.call(proxy)).toBe('[object JsonRpcProxy]');
      expect(sent).toEqual([]);
    });

    it("sends nothing when printed by Jest's pretty-format", () => {
      const { proxy, sent } = recording();
      expect(() => format(proxy.users)).not.toThrow();
      expect(() => format({ nested: proxy.a.b })).not.toThrow();
      expect(sent).toEqual([]);
    });

    it('describes itself through toString(), valueOf() and toJSON() called by hand', () => {
      const { proxy, sent } = recording();
      expect(proxy.users.get.toString()).toBe('[JSON-RPC proxy users.get]');
      expect(proxy.users.valueOf()).toBe('[JSON-RPC proxy users]');
      expect(proxy.toJSON()).toBe('[JSON-RPC proxy (root)]');
      expect(sent).toEqual([]);
    });

    it('names the root when printed', () => {
      const { proxy } = recording();
      expect(String(proxy)).toBe('[JSON-RPC proxy (root)]');
      expect(inspect(proxy)).toBe('[JSON-RPC proxy (root)]');
    });

    it('describes itself through Symbol.toPrimitive and the util.inspect symbol, read from the proxy itself', () => {
      const { proxy, sent } = recording();
      const node = proxy.a.b as Record<symbol, unknown>;
      const toPrimitive = node[Symbol.toPrimitive] as (hint: string) => unknown;
      const custom = node[Symbol.for('nodejs.util.inspect.custom')] as () => unknown;
      expect(typeof toPrimitive).toBe('function');
      expect(toPrimitive('number')).toBe('[JSON-RPC proxy a.b]');
      expect(typeof custom).toBe('function');
      expect(custom()).toBe('[JSON-RPC proxy a.b]');
      expect(sent).toEqual([]);
    });

    it('answers symbols with undefined, and refuses to call the root', () => {
      const { proxy, sent } = recording();
      expect((proxy as unknown as Record<symbol, unknown>)[Symbol.iterator]).toBeUndefined();
      expect(() => proxy()).toThrow(new TypeError('The proxy itself is not a method: call proxy.someMethod()'));
      expect(sent).toEqual([]);
    });
  });
});
