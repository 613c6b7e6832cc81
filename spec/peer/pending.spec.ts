import { PendingCalls, type PendingCall } from '../../lib/peer/pending';

/** A pending call reporting its failure to `onError`. */
const call = (method = 'm', onError: (error: unknown) => void = () => undefined): PendingCall => ({
  method,
  resolve: () => undefined,
  reject: onError,
});

describe('PendingCalls', () => {
  it('keys calls by id, telling 1 from "1"', () => {
    const pending = new PendingCalls();
    const numeric = call();
    pending.add(1, numeric);
    expect(pending.take('1')).toBeUndefined();
    expect(pending.take(1)).toBe(numeric);
    expect(pending.size).toBe(0);
  });

  it('abandons only the call it is given, and remembers its id once', () => {
    const pending = new PendingCalls();
    const first = call();
    pending.add(1, first);
    expect(pending.abandon(1, call())).toBe(false);
    expect(pending.abandon(1, first)).toBe(true);
    expect(pending.size).toBe(0);
    expect(pending.wasAbandoned(1)).toBe(true);
    expect(pending.wasAbandoned(1)).toBe(false);
  });

  it('remembers a bounded number of abandoned ids', () => {
    const pending = new PendingCalls();
    for (let id = 0; id < 2000; id++) {
      const c = call();
      pending.add(id, c);
      pending.abandon(id, c);
    }
    expect(pending.wasAbandoned(0)).toBe(false);
    expect(pending.wasAbandoned(1999)).toBe(true);
  });

  it('fails every call with its own error and empties itself', () => {
    const pending = new PendingCalls();
    const errors: unknown[] = [];
    for (const id of [1, 2]) {
      pending.add(
        id,
        call(`m${id}`, (e) => errors.push(e)),
      );
    }
    pending.failAll((id, method) => new Error(`${String(id)} ${method}`));
    expect(errors.map((e) => (e as Error).message)).toEqual(['1 m1', '2 m2']);
    expect(pending.size).toBe(0);
  });
});
