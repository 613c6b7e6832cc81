import { VirtualTimeScheduler } from 'rxjs';
import { Deadlines } from '../../lib/peer/deadlines';

describe('Deadlines', () => {
  it('fires each deadline at its time, in order, for several timeout lengths', () => {
    const scheduler = new VirtualTimeScheduler();
    const deadlines = new Deadlines(scheduler);
    const fired: string[] = [];
    deadlines.add(100, () => fired.push(`a@${scheduler.now()}`));
    deadlines.add(50, () => fired.push(`b@${scheduler.now()}`));
    scheduler.schedule(() => deadlines.add(100, () => fired.push(`c@${scheduler.now()}`)), 30);
    scheduler.flush();
    expect(fired).toEqual(['b@50', 'a@100', 'c@130']);
  });

  it('does not fire a cancelled deadline, wherever it stands in the line', () => {
    const scheduler = new VirtualTimeScheduler();
    const deadlines = new Deadlines(scheduler);
    const fired: number[] = [];
    const cancels = [1, 2, 3, 4].map((n) => deadlines.add(10, () => fired.push(n)));
    cancels[0]!();
    cancels[2]!();
    cancels[3]!();
    cancels[3]!();
    scheduler.flush();
    expect(fired).toEqual([2]);
  });

  it('keeps working after a line empties', () => {
    const scheduler = new VirtualTimeScheduler();
    const deadlines = new Deadlines(scheduler);
    const fired: number[] = [];
    deadlines.add(10, () => fired.push(1))();
    scheduler.flush();
    deadlines.add(10, () => fired.push(2));
    scheduler.flush();
    expect(fired).toEqual([2]);
  });

  it('lets a deadline firing add another to its own line', () => {
    const scheduler = new VirtualTimeScheduler();
    const deadlines = new Deadlines(scheduler);
    const fired: number[] = [];
    deadlines.add(10, () => {
      fired.push(scheduler.now());
      deadlines.add(10, () => fired.push(scheduler.now()));
    });
    scheduler.flush();
    expect(fired).toEqual([10, 20]);
  });
});

describe('Deadlines timers', () => {
  it('keeps no timer once every deadline of a line is cancelled', () => {
    const scheduler = new VirtualTimeScheduler();
    const deadlines = new Deadlines(scheduler);
    const cancels = [deadlines.add(1_000, () => undefined), deadlines.add(1_000, () => undefined)];
    expect(scheduler.actions).toHaveLength(1);
    for (const cancel of cancels) cancel();
    expect(scheduler.actions.filter((action) => !action.closed)).toHaveLength(0);
  });
});
