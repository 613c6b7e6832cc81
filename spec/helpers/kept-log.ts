import type { Logger } from 'rx-jsonrpc';

/** One call of a kept logger's method: its level and the values it was given. */
export interface Line {
  readonly level: string;
  readonly values: readonly unknown[];
}

/** A logger that keeps what it is given, by level. */
export function keptLog(): Logger & { readonly lines: Line[] } {
  const lines: Line[] = [];
  const keep =
    (level: string) =>
    (...values: unknown[]) =>
      void lines.push({ level, values });
  return { lines, debug: keep('debug'), info: keep('info'), warn: keep('warn'), error: keep('error') };
}
