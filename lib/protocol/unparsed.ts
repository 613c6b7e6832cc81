import { hasPlainPrototype, isPlainObject } from './guards';

/**
 * What a message handed over as an object, not parsed from JSON text, must also be for the
 * peer to take it as it would take parsed JSON: what `classify()` checks is the same, and
 * this checks what JSON text gives for free. The message is a plain object; its params, if
 * any, are an array or an object JSON writes as one (not a `Date`, whose JSON is a string,
 * nor a boxed primitive); a response's `result` is not undefined (JSON leaves it out).
 * Values inside params, results and error data are not looked at: they arrive as they were
 * sent. Returns the problem in words, or undefined when there is none.
 */
export function unparsedProblem(value: unknown): string | undefined {
  // Not an object at all: classify() finds it invalid and says why.
  if (!isPlainObject(value)) return undefined;
  if (!hasPlainPrototype(value)) return `a message must be a plain object, got ${instanceOf(value)}`;
  const params = value.params;
  if (
    isPlainObject(params) &&
    (typeof params.toJSON === 'function' ||
      params instanceof String ||
      params instanceof Number ||
      params instanceof Boolean)
  )
    return `"params" must be an array or an object, got ${instanceOf(params)}, which JSON does not write as an object`;
  return 'result' in value && value.result === undefined ? 'a response needs "result", got undefined' : undefined;
}

/** "an instance of Date": what an object is, for error messages. */
function instanceOf(value: object): string {
  return `an instance of ${String((value.constructor as { name?: unknown } | undefined)?.name)}`;
}
