import { ErrorCodes } from '../../protocol/error-codes';
import { JsonRpcError } from '../../protocol/errors';
import type { Handler, HandlerContext } from '../peer';

/**
 * Adapts a function of positional arguments into a handler: `[1, 2]` calls `fn(1, 2)`.
 * Params that are not an array (or absent) are answered -32602 Invalid params.
 * The context is not passed; use a plain handler when you need it.
 *
 * @example
 * ```ts
 * rpc.handle('math.sum', positional((a: number, b: number) => a + b));
 * ```
 */
// A is what makes unannotated parameters `unknown` (an error to use) rather than `never`.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
export function positional<A extends unknown[], R>(fn: (...args: A) => R): Handler<unknown, R> {
  return function (this: unknown, params: unknown, _context: HandlerContext) {
    if (params !== undefined && !Array.isArray(params)) {
      throw new JsonRpcError(ErrorCodes.InvalidParams, 'Invalid params', 'expected positional (array) params');
    }
    // checked to be an array above; its elements are the caller's promise
    return fn.apply(this, (params ?? []) as A);
  };
}
