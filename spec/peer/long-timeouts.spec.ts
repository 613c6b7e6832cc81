// A call timeout past what a timer holds (2^31 - 1 ms, about 24.8 days) waits as asked,
// with one timer: Node fires a longer timer at once, which re-armed it again and again.
import { asyncScheduler, type SchedulerAction, type SchedulerLike, type Subscription } from 'rxjs';
import { closeAll, peerWithRawServer } from '../helpers/memory-peers';

afterEach(closeAll);

/** The peer's real clock, counting the timers it is asked for. */
function countingScheduler(): { scheduler: SchedulerLike; scheduled: () => number } {
  let count = 0;
  const scheduler: SchedulerLike = {
    now: () => asyncScheduler.now(),
    schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay?: number, state?: T): Subscription {
      count++;
      return asyncScheduler.schedule(work, delay, state);
    },
  };
  return { scheduler, scheduled: () => count };
}

describe('a timeout longer than a timer can hold', () => {
  it('keeps the call waiting on one timer until its answer', async () => {
    const { scheduler, scheduled } = countingScheduler();
    const { peer, raw } = await peerWithRawServer({ timeout: 2 ** 32, scheduler });
    const answer = peer.request('slow');
    // Fails with the peer's close if an expectation below fails first.
    answer.catch(() => undefined);
    const call = (await raw.next()) as { id: number };
    const before = scheduled();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(scheduled() - before).toBeLessThanOrEqual(1);
    raw.send({ jsonrpc: '2.0', id: call.id, result: 'done' });
    expect(await answer).toBe('done');
  });
});
