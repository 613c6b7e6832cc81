import { tap } from 'rxjs';
import { JsonRpcError, RequestTimeoutError } from '../protocol/errors';
import type { JsonRpcId } from '../protocol/messages';
import type { Interceptor, Logger } from '../peer/options';
import { clip, idText, logLine, shownId, since, type LogLevel } from './log-line';

/**
 * What became of a call, as a per-call line says it: its result came; an error answer
 * came (`code`); no answer within its timeout; the caller unsubscribed first; or it failed
 * on this side (the link dropped, the call could not be sent).
 */
export type CallOutcome = 'result' | 'error' | 'timeout' | 'cancelled' | 'failed';

/**
 * The fields of a per-call line (the first value handed to the logger): `rpc` is `'call'`
 * for a call this peer made and `'answer'` for one it answered; `ms` is how long it took,
 * whole milliseconds; `code` and `error` say what failed, the other side's words clipped to
 * 200 characters.
 */
export interface CallLogFields {
  /** `'call'` for a call this peer made, `'answer'` for one it answered. */
  readonly rpc: 'call' | 'answer';
  /** The method called. */
  readonly method: string;
  /** The call's id; undefined for a call refused before it was given one. */
  readonly id: JsonRpcId | null | undefined;
  /** How long the call took, in whole milliseconds: from subscription (or arrival) to its end. */
  readonly ms: number;
  /** What became of it; `'abandoned'` for a call answered here whose link closed first. */
  readonly outcome: CallOutcome | 'abandoned';
  /** The error answer's code, for `outcome: 'error'`. */
  readonly code?: number;
  /** What failed: the error answer's message, or the local failure's. */
  readonly error?: string;
}

/**
 * An interceptor that writes one line per call this peer makes (put it first in
 * `interceptors` to time a call with its retries, last to log each try with its own id):
 * its result at `debug`, a call the caller unsubscribed from at `debug`, an error answer, a
 * timeout or a local failure at `warn`, as pino fields and a message:
 * `{ rpc: 'call', method: 'math.sum', id: 1, ms: 3, outcome: 'result' }, 'rx-jsonrpc: call math.sum (1): result in 3 ms'`.
 * It changes nothing of the call, and a logger that throws changes nothing either.
 * Imported only where used: a peer without it carries none of it.
 *
 * @example
 * ```ts
 * import { connect, logCalls, webSocket } from 'rx-jsonrpc';
 *
 * const rpc = connect(webSocket(url), { interceptors: [logCalls(console)] });
 * ```
 */
export function logCalls(logger: Logger): Interceptor {
  return (call, next) => {
    const { method, options } = call;
    const start = performance.now();
    let id: JsonRpcId | undefined;
    let ended = false;
    const line = (level: LogLevel, outcome: CallOutcome, failure?: { code?: number; error: string }) => {
      ended = true;
      const fields: CallLogFields = {
        rpc: 'call',
        method: clip(method),
        id: shownId(id),
        ms: since(start),
        outcome,
        ...failure,
      };
      logLine(logger, level, fields, callLine(fields));
    };
    const onId = options?.onId;
    const told = {
      ...options,
      onId: (given: JsonRpcId) => {
        id = given;
        onId?.(given);
      },
    };
    return next({ ...call, options: told }).pipe(
      tap({
        next: () => ended || line('debug', 'result'),
        error: (error: unknown) => {
          const [outcome, failure] = failureOf(error);
          line('warn', outcome, failure);
        },
        unsubscribe: () => ended || line('debug', 'cancelled'),
      }),
    );
  };
}

/**
 * The message of a per-call line, made from its fields:
 * `rx-jsonrpc: call math.sum (1): error -32601 (Method not found) in 3 ms`.
 */
export function callLine(fields: CallLogFields): string {
  const { rpc, method, id, ms, outcome, code, error } = fields;
  const said =
    outcome === 'result'
      ? `result in ${ms} ms`
      : outcome === 'error'
        ? `error ${String(code)} (${String(error)}) in ${ms} ms`
        : outcome === 'timeout'
          ? `timed out in ${ms} ms`
          : outcome === 'failed'
            ? `failed in ${ms} ms: ${String(error)}`
            : `${outcome} after ${ms} ms`;
  return `rx-jsonrpc: ${rpc} ${method} (${id === undefined ? 'no id' : idText(id)}): ${said}`;
}

/**
 * What a call's error says, for its line. An interceptor below may fail with anything, and
 * reading a revoked Proxy (even `instanceof`) throws: the caller must get its own error, not ours.
 */
function failureOf(error: unknown): [CallOutcome, { code?: number; error: string }] {
  try {
    if (error instanceof JsonRpcError) return ['error', { code: error.code, error: clip(error.remoteMessage) }];
    if (error instanceof RequestTimeoutError) return ['timeout', { error: error.message }];
    // `message` is typed string, but a subclass or a Proxy may make it anything
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-conversion
    return ['failed', { error: clip(error instanceof Error ? String(error.message) : 'a value that is not an Error') }];
  } catch {
    return ['failed', { error: 'an error that cannot be read' }];
  }
}
