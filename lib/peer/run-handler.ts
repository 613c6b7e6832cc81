import { defaultIfEmpty, isObservable, take, type Subscription } from 'rxjs';
import { ErrorCodes } from '../protocol/error-codes';
import { HandlerError, JsonRpcError, messageOf, type RpcError } from '../protocol/errors';
import type { JsonRpcErrorObject } from '../protocol/messages';
import type { Handler, HandlerContext } from './handlers';

/** Where a handler's outcome goes. */
export interface HandlerOutcome {
  result(value: unknown): void;
  error(error: JsonRpcErrorObject): void;
}

/**
 * Calls `handler` and turns what it returns or throws into one outcome: a value (undefined
 * becomes null), a Promise, or an Observable (its first value; none is null). A thrown
 * `JsonRpcError` is the error answer; anything else is -32603 without details, reported as
 * `HandlerError`. Returns the subscription of an Observable still running, to stop it.
 */
export function runHandler(
  handler: Handler,
  params: unknown,
  context: HandlerContext,
  outcome: HandlerOutcome,
  report: (error: RpcError) => void,
): Subscription | undefined {
  const fail = (error: unknown) => outcome.error(toErrorObject(error, context, report));
  const succeed = (value: unknown) => outcome.result(value === undefined ? null : value);
  let result: unknown;
  try {
    result = handler(params, context);
  } catch (error) {
    fail(error);
    return undefined;
  }
  if (isObservable(result)) {
    const subscription = result.pipe(take(1), defaultIfEmpty(null)).subscribe({ next: succeed, error: fail });
    return subscription.closed ? undefined : subscription;
  }
  if (isPromiseLike(result)) result.then(succeed, fail);
  else succeed(result);
  return undefined;
}

/** A JsonRpcError answers as itself; anything else answers -32603 and is reported, with no details sent. */
function toErrorObject(error: unknown, context: HandlerContext, report: (error: RpcError) => void): JsonRpcErrorObject {
  // A notification has nobody to answer, so even a JsonRpcError is only reported.
  if (error instanceof JsonRpcError && context.id !== undefined) return error.toJSON();
  const call = context.id === undefined ? 'notification' : `request ${String(context.id)}`;
  report(new HandlerError(`Handler of ${context.method} (${call}) failed: ${messageOf(error)}`, { cause: error }));
  return { code: ErrorCodes.InternalError, message: 'Internal error' };
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}
