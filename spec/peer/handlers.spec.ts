import { HandlerRegistry } from '../../lib/peer/answerer/handlers';
import { closeAll, peerWithRawServer } from '../helpers/memory-peers';

describe('HandlerRegistry', () => {
  it('finds a handler by method through a Map, so object keys are ordinary names', () => {
    const registry = new HandlerRegistry();
    expect(registry.get('__proto__')).toBeUndefined();
    expect(registry.get('toString')).toBeUndefined();
    const handler = () => 1;
    registry.register('__proto__', handler);
    expect(registry.get('__proto__')).toBe(handler);
  });

  it('replaces an earlier handler, and unsubscribing the old registration keeps the new one', () => {
    const registry = new HandlerRegistry();
    const first = registry.register('m', () => 1);
    const second = () => 2;
    registry.register('m', second);
    first.unsubscribe();
    expect(registry.get('m')).toBe(second);
  });

  it('removes the handler when its registration is unsubscribed', () => {
    const registry = new HandlerRegistry();
    registry.register('m', () => 1).unsubscribe();
    expect(registry.get('m')).toBeUndefined();
  });

  it('throws TypeError for an empty method or a handler that is not a function', () => {
    const registry = new HandlerRegistry();
    expect(() => registry.register('', () => 1)).toThrow(
      new TypeError('handle(): the method must be a non-empty string'),
    );
    expect(() => registry.register('m', 'nope' as never)).toThrow(
      new TypeError('handle(m): the handler must be a function'),
    );
  });
});

describe('HandlerRegistry.registerAll', () => {
  it('registers nested objects as dotted namespaces', () => {
    const registry = new HandlerRegistry();
    const sum = () => 1;
    const echo = () => 2;
    registry.registerAll({ math: { sum, deep: { echo } }, echo });
    expect([...['math.sum', 'math.deep.echo', 'echo'].map((m) => typeof registry.get(m))]).toEqual([
      'function',
      'function',
      'function',
    ]);
    expect(registry.get('math')).toBeUndefined();
  });

  it('uses the separator given', () => {
    const registry = new HandlerRegistry();
    registry.registerAll({ users: { get: () => 1 } }, { separator: '/' });
    expect(registry.get('users/get')).toBeDefined();
    expect(registry.get('users.get')).toBeUndefined();
  });

  it('binds functions to the object that holds them', () => {
    const registry = new HandlerRegistry();
    const counter = {
      next(this: { peek(): number }) {
        return this.peek() + 1;
      },
      peek: () => 41,
    };
    registry.registerAll({ counter });
    expect(registry.get('counter.next')!(undefined, {} as never)).toBe(42);
  });

  it.each([
    ['a number', { version: 1 }, 'version'],
    ['a class instance', { users: { store: new Map() } }, 'users.store'],
    ['an array', { list: [() => 1] }, 'list'],
  ])('refuses %s, registering nothing', (_, tree, path) => {
    const registry = new HandlerRegistry();
    expect(() => registry.registerAll({ ok: () => 1, ...(tree as object) } as never)).toThrow(
      new TypeError(`handleAll(): ${path} is neither a function nor a plain object of methods`),
    );
    expect(registry.get('ok')).toBeUndefined();
  });

  it('removes every method when its subscription is unsubscribed', () => {
    const registry = new HandlerRegistry();
    const registration = registry.registerAll({ a: () => 1, b: { c: () => 2 } });
    registration.unsubscribe();
    expect(registry.get('a')).toBeUndefined();
    expect(registry.get('b.c')).toBeUndefined();
  });
});

describe('HandlerRegistry reserved names', () => {
  it('refuses names beginning with "rpc." unless asked', () => {
    const registry = new HandlerRegistry();
    expect(() => registry.register('rpc.discover', () => 1)).toThrow(
      new TypeError(
        'handle(rpc.discover): names beginning with "rpc." are reserved (pass { reserved: true } to serve one)',
      ),
    );
    registry.register('rpc.discover', () => 1, { reserved: true });
    expect(registry.get('rpc.discover')).toBeDefined();
  });
});

describe('handle', () => {
  afterEach(closeAll);

  it('refuses a method that is not a string, saying so', async () => {
    const { peer } = await peerWithRawServer();
    expect(() => peer.handle(5 as unknown as string, () => 1)).toThrow(
      new TypeError('handle(): the method must be a non-empty string'),
    );
  });
});
