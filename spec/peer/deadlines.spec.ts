import { VirtualTimeScheduler } from 'rxjs';
import { Deadlines, type Expiring } from '../../lib/peer/collections/deadlines';

/** A deadline target that runs `fire` when its deadline passes. */
const firing = (fire: () => void): Expiring => ({ expire: fire });

describe('Deadlines', () => {
  it('fires each deadline at its time, in order, for several timeout lengths', () => {
    const scheduler = new VirtualTimeScheduler();
    const deadlines = new Deadlines(scheduler);
    const fired: string[] = [];
    deadlines.add(
      100,
      firing(() => fired.push(`a@${scheduler.now()}`)),
    );
    deadlines.add(
      50,
      firing(() => fired.push(`b@${scheduler.now()}`)),
    );
    scheduler.schedule(
      () =>
        deadlines.add(
          100,
          firing(() => fired.push(`c@${scheduler.now()}`)),
        ),
      30,
    );
    scheduler.flush();
    expect(fired).toEqual(['b@50', 'a@100', 'c@130']);
  });

  it('does not fire a removed deadline, wherever it stands in the line', () => {
    const scheduler = new VirtualTimeScheduler();
    const deadlines = new Deadlines(scheduler);
    const fired: number[] = [];
    const entries = [1, 2, 3, 4].map((n) =>
      deadlines.add(
        10,
        firing(() => fired.push(n)),
      ),
    );
    deadlines.remove(entries[0]!);
    deadlines.remove(entries[2]!);
    deadlines.remove(entries[3]!);
    deadlines.remove(entries[3]!);
    scheduler.flush();
    expect(fired).toEqual([2]);
  });

  it('ignores removing a deadline that has fired', () => {
    const scheduler = new VirtualTimeScheduler();
    const deadlines = new Deadlines(scheduler);
    const fired: number[] = [];
    const first = deadlines.add(
      10,
      firing(() => fired.push(1)),
    );
    scheduler.flush();
    const second = deadlines.add(
      10,
      firing(() => fired.push(2)),
    );
    deadlines.remove(first);
    scheduler.flush();
    expect(fired).toEqual([1, 2]);
    expect(second.line).toBeUndefined();
  });

  it('keeps working after a line empties', () => {
    const scheduler = new VirtualTimeScheduler();
    const deadlines = new Deadlines(scheduler);
    const fired: number[] = [];
    deadlines.remove(
      deadlines.add(
        10,
        firing(() => fired.push(1)),
      ),
    );
    scheduler.flush();
    deadlines.add(
      10,
      firing(() => fired.push(2)),
    );
    scheduler.flush();
    expect(fired).toEqual([2]);
  });

  it('lets a deadline firing add another to its own line', () => {
    const scheduler = new VirtualTimeScheduler();
    const deadlines = new Deadlines(scheduler);
    const fired: number[] = [];
    deadlines.add(
      10,
      firing(() => {
        fired.push(scheduler.now());
        deadlines.add(
          10,
          firing(() => fired.push(scheduler.now())),
        );
      }),
    );
    scheduler.flush();
    expect(fired).toEqual([10, 20]);
  });
});

describe('Deadlines timers', () => {
  it('keeps one timer per timeout length, not one per call', () => {
    const scheduler = new VirtualTimeScheduler();
    const deadlines = new Deadlines(scheduler);
    for (let n = 0; n < 5; n++)
      deadlines.add(
        1_000,
        firing(() => undefined),
      );
    deadlines.add(
      500,
      firing(() => undefined),
    );
    expect(scheduler.actions).toHaveLength(2);
  });

  it('keeps no timer once every deadline of a line is removed', () => {
    const scheduler = new VirtualTimeScheduler();
    const deadlines = new Deadlines(scheduler);
    const entries = [
      deadlines.add(
        1_000,
        firing(() => undefined),
      ),
      deadlines.add(
        1_000,
        firing(() => undefined),
      ),
    ];
    deadlines.remove(entries[1]!);
    expect(scheduler.actions.filter((action) => !action.closed)).toHaveLength(1);
    deadlines.remove(entries[0]!);
    expect(scheduler.actions.filter((action) => !action.closed)).toHaveLength(0);
  });
});
