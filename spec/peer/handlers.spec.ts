import { HandlerRegistry } from '../../lib/peer/handlers';

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
