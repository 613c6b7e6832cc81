import { join } from 'node:path';
import { manyRows, type ManyRow } from './many-rows';

/** W11's rows: W9's servers, the limit among them answering `echo` (soak-bare-ws.ts). */
export const soakRows: readonly ManyRow[] = manyRows.map((row) =>
  row.key === 'bare-ws' ? { ...row, entry: join(__dirname, 'soak-bare-ws.ts') } : row,
);

export function soakRowsByKey(keys: readonly string[]): ManyRow[] {
  return keys.map((key) => {
    const found = soakRows.find((each) => each.key === key);
    if (found === undefined) throw new Error(`No W11 row ${key}`);
    return found;
  });
}
