import type { RpcError } from '../protocol/errors';
import type { Logger } from '../peer/options';

/** The level of a line: one of the four methods of a {@link Logger}. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * Writes one structured line, `logger[level](fields, message)` (pino's order); false when
 * the logger threw, which is swallowed: what logs must never break a call or a server.
 */
export function logLine(logger: Logger, level: LogLevel, fields: object, message: string): boolean {
  try {
    logger[level](fields, message);
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes an error as the one value (loggers print it with its stack and `cause`); when
 * that throws (a `cause` that `util.inspect` cannot print, such as a revoked Proxy), its
 * name and message as text; when that throws too, nothing. False when nothing was written.
 */
export function logError(logger: Logger, level: LogLevel, error: RpcError): boolean {
  try {
    // Words a peer chose (an id of megabytes in "Handler of x (request …)") would make each line that long: as text, clipped.
    // So would a handler's own error that wraps them (`new Error('query failed', { cause })`): every cause is printed.
    if (error.message.length > longError || causesAreLong(error.cause)) {
      logger[level](`${error.name}: ${clip(error.message)} (cause: ${clip(causeText(error.cause))})`);
    } else logger[level](error);
    return true;
  } catch {
    return logText(logger, level, `${error.name}: ${clip(error.message)}`);
  }
}

/** Writes one line of text; false when the logger threw, which is swallowed. */
export function logText(logger: Logger, level: LogLevel, text: string): boolean {
  try {
    logger[level](text);
    return true;
  } catch {
    return false;
  }
}

/** Longer than this, an error's message (or its cause's) is logged clipped, as text. */
const longError = 2_000;

/** The most causes of causes read: a longer chain (or a cycle) is logged as text, as a long one. */
const maxCauses = 8;

/** Whether what a chain of causes says passes {@link longError} anywhere, or the chain is longer than we read. */
function causesAreLong(cause: unknown): boolean {
  for (let depth = 0; depth < maxCauses; depth++) {
    if (causeText(cause).length > longError) return true;
    if (!(cause instanceof Error) || cause.cause === undefined) return false;
    cause = cause.cause;
  }
  return true;
}

/** What a cause says: an Error's message, a string as it is; other values say nothing here. */
function causeText(cause: unknown): string {
  if (cause instanceof Error) return cause.message;
  return typeof cause === 'string' ? cause : '';
}

/** At most this many characters of what the other side chose (a method, an id, an error message) go into a line. */
export const shownLength = 200;

/** `text` cut to {@link shownLength} characters: a hostile peer must not make one line megabytes long. */
export function clip(text: string): string {
  return text.length <= shownLength ? text : `${text.slice(0, shownLength)}…`;
}

/** An id as a line shows it: a number as is, a string quoted and clipped. */
export function idText(id: unknown): string {
  return typeof id === 'string' ? JSON.stringify(clip(id)) : String(id);
}

/** An id as the fields of a line carry it: a string one clipped. */
export function shownId<T>(id: T): T | string {
  return typeof id === 'string' ? clip(id) : id;
}

/** Milliseconds since `start` (a `performance.now()`), whole. */
export function since(start: number): number {
  return Math.round(performance.now() - start);
}
