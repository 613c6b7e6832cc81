import { Subscription } from 'rxjs';
import { HandlerError } from '../protocol/errors';
import type { Logger } from '../peer/options';
import type { AnyPeer } from '../peer/peer';
import type { PeerState } from '../peer/state';
import { logAnswers } from './log-answers';
import { LogBudget } from './log-budget';
import { clip, logError, logLine } from './log-line';

/** How many of a peer's `errors$` {@link logPeer} writes a minute: a server sending garbage must not flood the log. */
export const loggedErrorsPerMinute = 10;

/** Options of {@link logPeer}. */
export interface LogPeerOptions {
  /**
   * Also one line per call the peer answers (the other side's calls), as `logCalls()` writes
   * one per call it makes: a result at `debug`, an error answer at `warn`.
   * @default false
   */
  readonly answers?: boolean;
}

/**
 * Writes what happens to `peer` to `logger`, until the peer closes or the subscription is
 * unsubscribed: the link's state (`info` when it opens and when it is closed on purpose;
 * `warn` when it drops, each reconnection attempt after the first at `info`, and when it
 * closes for good with an error), and what its `errors$` carries (`error` for a failing
 * handler, `warn` for the rest: malformed frames, answers nobody waits for), at most
 * {@link loggedErrorsPerMinute} a minute. With `answers`, the calls it answers too. The
 * calls it makes are logged by the interceptor `logCalls()`. A logger that throws changes
 * nothing of the peer. Imported only where used: a peer that does not log carries none of it.
 *
 * @example
 * ```ts
 * import { connect, logCalls, logPeer, reconnecting, webSocket } from 'rx-jsonrpc';
 *
 * const rpc = connect(webSocket(url), { reconnect: reconnecting(), interceptors: [logCalls(console)] });
 * logPeer(rpc, console);
 * ```
 */
export function logPeer(peer: AnyPeer, logger: Logger, options: LogPeerOptions = {}): Subscription {
  // Not state$'s own subscription: it ends as the peer closes, which would end the others before their last lines.
  const subscription = new Subscription();
  subscription.add(peer.state$.subscribe((state) => stateLine(logger, state)));
  const budget = new LogBudget(loggedErrorsPerMinute);
  subscription.add(
    peer.errors$.subscribe((error) => {
      const taken = budget.take((count) =>
        logLine(
          logger,
          'warn',
          { rpc: 'errors', leftOut: count },
          `rx-jsonrpc: ${count} more errors were not logged in the last minute`,
        ),
      );
      if (taken) logError(logger, error instanceof HandlerError ? 'error' : 'warn', error);
    }),
  );
  if (options.answers === true) subscription.add(logAnswers(peer, logger, true));
  return subscription;
}

/** One line for a state the peer entered; none for `connecting`, which says nothing yet. */
function stateLine(logger: Logger, state: PeerState): void {
  switch (state.status) {
    case 'connecting':
      return;
    case 'open': {
      const { transport, url } = state.info;
      logLine(
        logger,
        'info',
        { rpc: 'link', state: 'open', transport, url },
        `rx-jsonrpc: link open (${where(transport, url)})`,
      );
      return;
    }
    case 'reconnecting': {
      const { attempt, error } = state;
      const words = clip(error.message);
      logLine(
        logger,
        attempt === 1 ? 'warn' : 'info',
        { rpc: 'link', state: 'reconnecting', attempt, error: words },
        `rx-jsonrpc: link lost, reconnecting (attempt ${attempt}): ${words}`,
      );
      return;
    }
    case 'closed': {
      const { error } = state;
      if (error === undefined) logLine(logger, 'info', { rpc: 'link', state: 'closed' }, 'rx-jsonrpc: link closed');
      else {
        const words = clip(error.message);
        logLine(logger, 'warn', { rpc: 'link', state: 'closed', error: words }, `rx-jsonrpc: link closed: ${words}`);
      }
    }
  }
}

function where(transport: string, url: string | undefined): string {
  return url === undefined ? transport : `${transport} ${clip(url)}`;
}
