import { PendingCalls, type PendingCall } from '../../lib/peer/caller/pending';

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

  describe('takeRefusedBatch', () => {
    const waiting = (pending: PendingCalls, ids: number[]) => {
      for (const id of ids) pending.add(id, call(`m${id}`));
    };
    const idsOf = (taken: [unknown, PendingCall][]) => taken.map(([id]) => id);

    it('takes the oldest batch frame with no answer yet, and only its waiting calls', () => {
      const pending = new PendingCalls();
      waiting(pending, [1, 2, 3, 4, 5]);
      pending.markBatch([1, 2]);
      pending.markBatch([3, 4]);
      expect(idsOf(pending.takeRefusedBatch(''))).toEqual([1, 2]);
      expect(pending.size).toBe(3);
      expect(idsOf(pending.takeRefusedBatch(''))).toEqual([3, 4]);
      expect(pending.takeRefusedBatch('')).toEqual([]);
      // A call sent alone is never taken for a batch.
      expect(pending.has(5)).toBe(true);
    });

    it('skips a batch that got an answer for any member', () => {
      const pending = new PendingCalls();
      waiting(pending, [1, 2, 3, 4]);
      pending.markBatch([1, 2]);
      pending.markBatch([3, 4]);
      pending.take(2);
      expect(idsOf(pending.takeRefusedBatch(''))).toEqual([3, 4]);
      expect(pending.takeRefusedBatch('')).toEqual([]);
      expect(pending.has(1)).toBe(true);
    });

    it('leaves out abandoned members, and forgets a batch whose members were all abandoned', () => {
      const pending = new PendingCalls();
      const calls = [1, 2, 3, 4].map((id) => [id, call()] as const);
      for (const [id, c] of calls) pending.add(id, c);
      pending.markBatch([1, 2]);
      pending.markBatch([3, 4]);
      pending.abandon(1, calls[0]![1]);
      pending.abandon(2, calls[1]![1]);
      pending.abandon(3, calls[2]![1]);
      expect(idsOf(pending.takeRefusedBatch(''))).toEqual([4]);
      expect(pending.size).toBe(0);
    });

    it('leaves out ids that were not waiting when the frame went out, and frames with none waiting', () => {
      const pending = new PendingCalls();
      waiting(pending, [2]);
      pending.markBatch([1]);
      pending.markBatch([1, 2]);
      expect(idsOf(pending.takeRefusedBatch(''))).toEqual([2]);
      expect(pending.takeRefusedBatch('')).toEqual([]);
    });

    it('counts each unread notification as the explanation of one error, until a later call is answered', () => {
      const pending = new PendingCalls();
      pending.notificationSent();
      pending.notificationSent();
      waiting(pending, [1, 2, 3]);
      pending.markBatch([2, 3]);
      expect(pending.takeRefusedBatch('Unauthorized')).toEqual([]);
      expect(pending.takeRefusedBatch('Unauthorized')).toEqual([]);
      expect(idsOf(pending.takeRefusedBatch('Unauthorized'))).toEqual([2, 3]);
    });

    it('knows the notifications were read once a call sent after them is answered', () => {
      const pending = new PendingCalls();
      waiting(pending, [1]);
      pending.notificationSent();
      // Answered, but sent before the notification: it proves nothing.
      pending.take(1);
      waiting(pending, [2, 3, 4]);
      pending.take(2);
      pending.markBatch([3, 4]);
      expect(idsOf(pending.takeRefusedBatch('Invalid Request'))).toEqual([3, 4]);
    });

    it('counts a notification sent after the batch as an explanation, whatever was answered since', () => {
      const pending = new PendingCalls();
      waiting(pending, [1, 2]);
      pending.markBatch([1]);
      pending.notificationSent();
      // Answered at once by a server that does not answer in reading order.
      pending.take(2);
      expect(pending.takeRefusedBatch('Unauthorized')).toEqual([]);
      expect(idsOf(pending.takeRefusedBatch('Invalid Request'))).toEqual([1]);
    });

    it('uses each notification sent after a batch once, whichever batch is the oldest then', () => {
      const pending = new PendingCalls();
      waiting(pending, [1, 2]);
      pending.markBatch([1]);
      pending.markBatch([2]);
      pending.notificationSent();
      expect(pending.takeRefusedBatch('Unauthorized')).toEqual([]);
      pending.take(1);
      expect(idsOf(pending.takeRefusedBatch('Invalid Request'))).toEqual([2]);
    });

    it('forgets the notifications of a link that is gone', () => {
      const pending = new PendingCalls();
      pending.notificationSent();
      pending.failAll(() => new Error('link lost'));
      waiting(pending, [1]);
      pending.markBatch([1]);
      expect(idsOf(pending.takeRefusedBatch('Invalid Request'))).toEqual([1]);
    });

    it('takes the batch for an error that names a batch, notification unread or not', () => {
      const pending = new PendingCalls();
      pending.notificationSent();
      waiting(pending, [1]);
      pending.markBatch([1]);
      expect(idsOf(pending.takeRefusedBatch('Batch too large'))).toEqual([1]);
    });

    it('has nothing to take once every call has failed', () => {
      const pending = new PendingCalls();
      waiting(pending, [1, 2]);
      pending.markBatch([1, 2]);
      pending.failAll(() => new Error('link lost'));
      expect(pending.takeRefusedBatch('')).toEqual([]);
    });
  });
});
