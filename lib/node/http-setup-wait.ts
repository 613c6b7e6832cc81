import { catchError, firstValueFrom, from, map, mergeMap, NEVER, of, race, Subject, timer } from 'rxjs';

/** How the wait for a POST's async `setup` ended. */
export type SetupOutcome =
  | { readonly kind: 'ready' }
  | { readonly kind: 'failed'; readonly cause: unknown }
  /** It did not settle within the deadline. */
  | { readonly kind: 'timeout' }
  /** The server closed (after the drain it was given), or the client left. */
  | { readonly kind: 'interrupted' };

/** A wait for an async `setup`; see {@link waitForSetup}. */
export interface SetupWait {
  /** Resolves with how the wait ended. Never rejects. */
  readonly outcome: Promise<SetupOutcome>;
  /** Ends the wait `afterMs` from now, if setup has not settled by then. */
  interrupt(afterMs: number): void;
}

/**
 * Waits for the promise an async `setup` returned, `deadline` ms at most (0: no deadline),
 * and no longer than `interrupt` says: a setup that never settles (a lookup that never
 * answers) must not hold its POST, nor the server's close, forever.
 */
export function waitForSetup(ready: PromiseLike<unknown>, deadline: number): SetupWait {
  const interrupts = new Subject<number>();
  const outcome = firstValueFrom(
    race(
      from(ready).pipe(
        map((): SetupOutcome => ({ kind: 'ready' })),
        catchError((cause: unknown) => of<SetupOutcome>({ kind: 'failed', cause })),
      ),
      deadline > 0 ? timer(deadline).pipe(map((): SetupOutcome => ({ kind: 'timeout' }))) : NEVER,
      interrupts.pipe(
        mergeMap((afterMs) => timer(afterMs)),
        map((): SetupOutcome => ({ kind: 'interrupted' })),
      ),
    ),
  );
  return { outcome, interrupt: (afterMs) => interrupts.next(afterMs) };
}
