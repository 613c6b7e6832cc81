import { retry, throwError, defer, firstValueFrom } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { backoff } from 'rx-jsonrpc';

describe('backoff', () => {
  const testScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

  it('doubles from the initial delay up to the maximum, without jitter', () => {
    testScheduler().run(({ expectObservable }) => {
      const delay = backoff({ initial: 10, max: 50, jitter: 0 });
      expectObservable(delay(null, 1)).toBe('10ms (0|)', { 0: 0 });
      expectObservable(delay(null, 2)).toBe('20ms (0|)', { 0: 0 });
      expectObservable(delay(null, 3)).toBe('40ms (0|)', { 0: 0 });
      expectObservable(delay(null, 4)).toBe('50ms (0|)', { 0: 0 });
      expectObservable(delay(null, 9)).toBe('50ms (0|)', { 0: 0 });
    });
  });

  it('takes up to the jitter share off each delay, at random', () => {
    testScheduler().run(({ expectObservable }) => {
      expectObservable(backoff({ initial: 100, jitter: 0.5, random: () => 1 })(null, 1)).toBe('50ms (0|)', { 0: 0 });
      expectObservable(backoff({ initial: 100, jitter: 0.5, random: () => 0 })(null, 1)).toBe('100ms (0|)', { 0: 0 });
    });
  });

  it('grows by the factor given', () => {
    testScheduler().run(({ expectObservable }) => {
      expectObservable(backoff({ initial: 10, factor: 3, jitter: 0 })(null, 3)).toBe('90ms (0|)', { 0: 0 });
    });
  });

  it('plugs into retry({ delay })', async () => {
    let attempts = 0;
    const flaky = defer(() => (++attempts < 3 ? throwError(() => new Error('not yet')) : [attempts]));
    await expect(firstValueFrom(flaky.pipe(retry({ count: 5, delay: backoff({ initial: 1 }) })))).resolves.toBe(3);
  });
});
