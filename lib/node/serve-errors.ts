import { Subject } from 'rxjs';
import type { RpcError } from '../protocol/errors';

/**
 * Where a server writes what nobody else hears: `console`, or any logger with these four
 * methods (pino, winston, bunyan). Each gets one value, the error itself: loggers print an
 * Error with its stack and `cause`.
 */
export interface Logger {
  debug(...values: unknown[]): void;
  info(...values: unknown[]): void;
  warn(...values: unknown[]): void;
  error(...values: unknown[]): void;
}

/** How many unheard errors a server logs a minute: enough to see a fault, too few for a flood to fill a disk. */
export const unheardPerMinute = 10;

/** A server's `errors$`, and how its parts report to it. */
export interface ServerErrors {
  readonly errors: Subject<RpcError>;
  readonly report: (error: RpcError) => void;
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
  let windowStart = 0;
  let logged = 0;
  let leftOut = 0;
  let hinted = false;
  const unheard = (to: Logger, error: RpcError) => {
    const now = Date.now();
    if (now - windowStart >= 60_000) {
      if (leftOut > 0) tell(to, 'warn', `rx-jsonrpc server: ${leftOut} more errors were not logged in the last minute`);
      windowStart = now;
      logged = 0;
      leftOut = 0;
    }
    if (logged === unheardPerMinute) {
      leftOut++;
      return;
    }
    logged++;
    // Printing its `cause` can throw (a revoked Proxy a handler rejected with): its words, at least.
    if (!tell(to, 'error', error)) tell(to, 'error', `${error.name}: ${error.message}`);
    if (hinted) return;
    hinted = true;
    tell(
      to,
      'warn',
      'rx-jsonrpc server: logged because nothing subscribes to server.errors$ ' +
        `(at most ${unheardPerMinute} a minute); subscribe to it, or set serve({ log }) to a logger or false`,
    );
  };
  return {
    errors,
    report: (error) => {
      if (errors.observed || log === false) errors.next(error);
      else unheard(log, error);
    },
  };
}

/** Writes one value to `to`; false when the logger threw (a server's report path must never throw). */
function tell(to: Logger, level: 'warn' | 'error', value: unknown): boolean {
  try {
    to[level](value);
    return true;
  } catch {
    return false;
  }
}
