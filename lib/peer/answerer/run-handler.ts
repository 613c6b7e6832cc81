import { defaultIfEmpty, isObservable, take, type Observable, type Subscription } from 'rxjs';
import { ErrorCodes } from '../../protocol/error-codes';
import { HandlerError, JsonRpcError, messageOf } from '../../protocol/errors';
import type { Reporter } from '../trace';
import type { JsonRpcErrorObject } from '../../protocol/messages';
import type { Handler, HandlerContext } from '../peer';

/** Where a handler's outcome goes. */
export interface HandlerOutcome {
  result(value: unknown): void;
  error(error: JsonRpcErrorObject): void;
}

/**
 * Calls `handler` and turns what it returns or throws into one outcome: a value (undefined
 * becomes null), a Promise, or an Observable (its first value; none is null). A thrown
 * `JsonRpcError` is the error answer; anything else is -32603 without details, reported as
 * `HandlerError` (unless it is the reason of the call's aborted signal: the handler stopped as asked). Total: whatever the handler returns, throws or rejects with (a revoked
 * Proxy, an object whose getters throw) ends as an outcome, never as an exception here.
 * Returns the subscription of an Observable still running, to stop it.
 */
export function runHandler(
  handler: Handler,
  params: unknown,
  context: HandlerContext,
  outcome: HandlerOutcome,
  reporter: Reporter,
): Subscription | undefined {
  try {
    const result = handler(params, context);
    // Reading what the handler returned may throw too (a revoked Proxy has no `then`).
    const observable = asObservable(result);
    const then = observable === undefined ? thenOf(result) : undefined;
    // A plain value is handed on with no closure made: the common case.
    if (observable === undefined && then === undefined) {
      outcome.result(result === undefined ? null : result);
      return undefined;
    }
    const fail = (error: unknown) => outcome.error(toErrorObject(error, context, reporter));
    const succeed = (value: unknown) => outcome.result(value === undefined ? null : value);
    if (observable !== undefined) {
      const subscription = observable.pipe(take(1), defaultIfEmpty(null)).subscribe({ next: succeed, error: fail });
      return subscription.closed ? undefined : subscription;
    }
    then?.call(result, succeed, fail);
  } catch (error) {
    outcome.error(toErrorObject(error, context, reporter));
  }
  return undefined;
}

/** A JsonRpcError answers as itself; anything else answers -32603 and is reported, with no details sent. */
function toErrorObject(error: unknown, context: HandlerContext, reporter: Reporter): JsonRpcErrorObject {
  // A notification has nobody to answer, so even a JsonRpcError is only reported.
  const remote = context.id === undefined ? undefined : asJsonRpcError(error);
  if (remote !== undefined) return remote;
  // A handler that stops with its signal's reason (as fetch() and throwIfAborted() do) did as asked: no failure.
  if (context.signal.aborted && error === context.signal.reason) return internalError();
  const call = context.id === undefined ? 'notification' : `request ${String(context.id)}`;
  reporter.report(
    new HandlerError(`Handler of ${context.method} (${call}) failed: ${messageOf(error)}`, { cause: error }),
  );
  return internalError();
}

/** A fresh one each time: an answer handed over as an object may be changed by whoever gets it. */
function internalError(): JsonRpcErrorObject {
  return { code: ErrorCodes.InternalError, message: 'Internal error' };
}

/** The error object of a JsonRpcError; undefined for anything else, or for one that cannot be read. */
function asJsonRpcError(error: unknown): JsonRpcErrorObject | undefined {
  try {
    return error instanceof JsonRpcError ? error.toJSON() : undefined;
  } catch {
    return undefined;
  }
}

function asObservable(value: unknown): Observable<unknown> | undefined {
  return isObservable(value) ? value : undefined;
}

function thenOf(value: unknown): PromiseLike<unknown>['then'] | undefined {
  // Read once, as the specification of thenables says; it is called with its object (`.call`).
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const then = (value as PromiseLike<unknown> | null | undefined)?.then;
  return typeof then === 'function' ? then : undefined;
}
