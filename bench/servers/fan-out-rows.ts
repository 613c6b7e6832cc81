import { join } from 'node:path';

/** One W8 row: the server process run twice, sharing a Redis, with the clients split between them. */
export interface FanOutRow {
  readonly key: string;
  readonly name: string;
  readonly entry: string;
}

/** W8's rows, in table order; the first is the limit. */
export const fanOutRows: readonly FanOutRow[] = [
  { key: 'bare-ws-redis', name: 'bare ws + node-redis (the limit)', entry: join(__dirname, 'fan-out-bare.ts') },
  { key: 'rx-serve', name: 'rx-jsonrpc serve() + redisBackplane()', entry: join(__dirname, 'fan-out.ts') },
];

export function fanOutRowsByKey(keys: readonly string[]): FanOutRow[] {
  return keys.map((key) => {
    const found = fanOutRows.find((each) => each.key === key);
    if (found === undefined) throw new Error(`No fan-out row ${key}`);
    return found;
  });
}
