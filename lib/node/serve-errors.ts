import { Subject } from 'rxjs';
import type { RpcError } from '../protocol/errors';
import type { Logger } from '../peer/options';
import { LogBudget } from '../features/log-budget';
import { logError, logText } from '../features/log-line';
import { logAnswers } from '../features/log-answers';
import { logCalls } from '../features/log-calls';
import type { ServeOptions, SetupPeer } from './serve-options';

export type { Logger } from '../peer/options';

/** How many unheard errors a server logs a minute: enough to see a fault, too few for a flood to fill a disk. */
export const unheardPerMinute = 10;

/** A server's `errors$`, and how its parts report to it. */
export interface ServerErrors {
  readonly errors: Subject<RpcError>;
  readonly report: (error: RpcError) => void;
  /** Completes `errors`: what is reported after (a handler failing once the server closed) goes nowhere. */
  readonly complete: () => void;
}

/**
 * The errors of a server: hot, for whoever subscribes. An error that comes while nobody
 * subscribes goes to `log.error` instead (`console` unless told; nowhere with `false`), at
 * most {@link unheardPerMinute} a minute, the next one after a full minute saying how many
 * were left out: a handler that throws must not fail in silence, and a client that sends
 * garbage must not flood the log.
 */
export function serverErrors(log: Logger | false = console): ServerErrors {
  const errors = new Subject<RpcError>();
  const budget = new LogBudget(unheardPerMinute);
  let hinted = false;
  const unheard = (to: Logger, error: RpcError) => {
    const taken = budget.take((count) =>
      logText(to, 'warn', `rx-jsonrpc server: ${count} more errors were not logged in the last minute`),
    );
    if (!taken) return;
    logError(to, 'error', error);
    if (hinted) return;
    hinted = true;
    logText(
      to,
      'warn',
      'rx-jsonrpc server: logged because nothing subscribes to server.errors$ ' +
        `(at most ${unheardPerMinute} a minute); subscribe to it, or set serve({ log }) to a logger or false`,
    );
  };
  let closed = false;
  return {
    errors,
    report: (error) => {
      if (closed) return;
      if (errors.observed || log === false) errors.next(error);
      else unheard(log, error);
    },
    complete: () => {
      closed = true;
      errors.complete();
    },
  };
}

/**
 * `options` and `setup` of a server whose peers log their calls, when `logCalls` asks and
 * `log` is a logger: each peer's answers are logged from before `setup` runs (its first call
 * is seen), and its own calls through an interceptor, outermost. Otherwise the two as they
 * are: a server that does not log calls pays nothing per connection.
 */
export function withCallLogs<Options extends Pick<ServeOptions, 'log' | 'logCalls' | 'peer'>>(
  options: Options,
  setup: SetupPeer<never>,
): { readonly options: Options; readonly setup: SetupPeer<never> } {
  const log = options.log ?? console;
  if (options.logCalls !== true || log === false) return { options, setup };
  const interceptors = [logCalls(log), ...(options.peer?.interceptors ?? [])];
  return {
    options: { ...options, peer: { ...options.peer, interceptors } },
    setup: (peer, connection, server) => {
      // Ends with the peer: logAnswers's subscriptions complete when it closes.
      logAnswers(peer, log);
      return setup(peer, connection, server);
    },
  };
}
