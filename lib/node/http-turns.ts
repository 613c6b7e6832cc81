/**
 * Spreads bursts over turns of the event loop: `take()` lets the first `perTurn` callers of
 * a turn go on at once (it returns undefined) and makes the others wait, in order, for later
 * turns (it returns a promise), `perTurn` of them per turn. So 1,000 requests read in one
 * turn do not make 1,000 peers in that turn: timers, and other clients' I/O, run between.
 */
export function turnSlots(perTurn: number): { readonly take: () => Promise<void> | undefined } {
  let used = 0;
  let scheduled = false;
  const waiting: (() => void)[] = [];
  const nextTurn = () => {
    scheduled = false;
    const now = waiting.splice(0, perTurn);
    used = now.length;
    // Their continuations run in microtasks, right after this callback: all in this turn.
    for (const go of now) go();
    if (used > 0) schedule();
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    // A check-phase callback: the timers and the poll of the next turn come before it.
    setImmediate(nextTurn);
  };
  return {
    take: () => {
      schedule();
      if (used < perTurn && waiting.length === 0) {
        used++;
        return undefined;
      }
      return new Promise((go) => waiting.push(go));
    },
  };
}
