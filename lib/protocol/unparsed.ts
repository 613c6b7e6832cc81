import { hasPlainPrototype } from './guards';

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
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  if (!hasPlainPrototype(value)) return `a message must be a plain object, got ${described(value)}`;
  const params = value.params;
  if (typeof params === 'object' && params !== null && !Array.isArray(params) && !writtenAsObject(params))
    return `"params" must be an array or an object, got ${described(params)}, which JSON does not write as an object`;
  if ('result' in value && value.result === undefined) return 'a response needs "result", got undefined';
  return undefined;
}

/** Whether JSON writes an object (that is not an array) as an object. */
function writtenAsObject(value: object): boolean {
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  return !(value instanceof String || value instanceof Number || value instanceof Boolean);
}

/** "a Date", "a Map", "a Point" (a class instance), "an object": what an object is, for error messages. */
function described(value: object): string {
  const name: unknown = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor
    ?.name;
  if (typeof name !== 'string' || name === '' || name === 'Object') return 'an object';
  return /^[AEIOU]/.test(name) ? `an ${name}` : `a ${name}`;
}
