// How the report writes numbers and tables (bench/report.ts and bench/report-servers.ts).

/** `number` with `digits` decimals and thousands separators; a dash for NaN. */
export function fixed(number: number, digits: number): string {
  if (!Number.isFinite(number)) return '—';
  return number.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
export const integer = (number: number): string => fixed(number, 0);
/** Microseconds (or milliseconds): fewer decimals as the number grows. */
export const micros = (number: number): string => fixed(number, number >= 100 ? 0 : number >= 10 ? 1 : 2);
export const times = (ratio: number): string => (Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : '—');

/** A Markdown table; numbers (every column but the first) align right unless `left`. */
export function table(header: readonly string[], rows: readonly (readonly string[])[], left = false): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  const rule = header.map((_, i) => (i === 0 || left ? '---' : '---:'));
  return [line(header), line(rule), ...rows.map(line)].join('\n');
}
