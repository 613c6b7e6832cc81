import { join } from 'node:path';
import { manyRows, type ManyRow } from './many-rows';

/**
 * W11's rows: W9's servers, the limit among them answering `echo` (soak-bare-ws.ts); of ours,
 * serve() as W9 measures it first (a minute a row: the setup-function form is W9's only).
 */
export const soakRows: readonly ManyRow[] = manyRows
  .filter((row) => row.key !== 'rx-serve-setup')
  .map((row) => (row.key === 'bare-ws' ? { ...row, entry: join(__dirname, 'soak-bare-ws.ts') } : row));

export function soakRowsByKey(keys: readonly string[]): ManyRow[] {
  return keys.map((key) => {
    const found = soakRows.find((each) => each.key === key);
    if (found === undefined) throw new Error(`No W11 row ${key}`);
    return found;
  });
}
