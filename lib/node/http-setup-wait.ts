import { HandlerError, messageOf, type RpcError } from '../protocol/errors';
import type { Peer } from '../peer/peer';
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

/** Whether a value is a thenable: reading `then` of any value is how one is told. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

/** How setting up an HTTP peer (a POST's, a session's) went; see {@link setUpPeer}. */
export type SetUp = 'ready' | 'interrupted' | 500;

/**
 * Runs `setup` (the user's, on a new peer) and waits for a promise it returns, `deadline` ms
 * at most: 'ready' (at once, not as a promise, for a setup that returns no promise: its
 * peer's frame is dispatched in the same turn); 500 when it threw, rejected or did not settle
 * in time (reported as a `HandlerError` naming `what()`, and `peer` closed with 1011);
 * 'interrupted' when the wait, handed to `waiting` while it lasts, was interrupted first.
 */
export function setUpPeer(
  setup: () => unknown,
  peer: Peer,
  deadline: number,
  what: () => string,
  report: (error: RpcError) => void,
  waiting?: (wait: SetupWait | undefined) => void,
): SetUp | Promise<SetUp> {
  const failed = async (message: string, cause?: unknown): Promise<500> => {
    report(new HandlerError(message, { cause }));
    await peer.close({ code: 1011, reason: 'Internal error' });
    return 500;
  };
  let ready: unknown;
  try {
    ready = setup();
  } catch (cause) {
    return failed(`setup() failed for ${what()}: ${messageOf(cause)}`, cause);
  }
  // Handlers an async setup registers must be there before anything is dispatched.
  if (!isThenable(ready)) return 'ready';
  const wait = waitForSetup(ready, deadline);
  waiting?.(wait);
  return wait.outcome.then((settled): SetUp | Promise<SetUp> => {
    waiting?.(undefined);
    if (settled.kind === 'failed')
      return failed(`setup() failed for ${what()}: ${messageOf(settled.cause)}`, settled.cause);
    if (settled.kind === 'timeout') return failed(`setup() did not settle within ${deadline} ms for ${what()}`);
    return settled.kind;
  });
}
