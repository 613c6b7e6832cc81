import { join } from 'node:path';

/** One row of W9 and W10: a server process that holds many connections and can broadcast. */
export interface ManyRow {
  readonly key: string;
  readonly name: string;
  readonly entry: string;
  /** What a client sends once open to be sent broadcasts (rpc-websockets sends events only to subscribers). */
  readonly subscribe?: string;
}

const here = (file: string) => join(__dirname, file);

/** W9's and W10's rows, in table order; the first is the limit. */
export const manyRows: readonly ManyRow[] = [
  { key: 'bare-ws', name: 'bare ws server (the limit)', entry: here('many-bare-ws.ts') },
  { key: 'json-rpc-2.0', name: 'json-rpc-2.0 JSONRPCServerAndClient on ws', entry: here('many-json-rpc-2.0.ts') },
  {
    key: 'rpc-websockets',
    name: 'rpc-websockets Server',
    entry: here('many-rpc-websockets.ts'),
    subscribe: '{"jsonrpc":"2.0","method":"rpc.on","params":["tick"],"id":1}',
  },
  { key: 'rx-serve', name: 'rx-jsonrpc serve()', entry: here('many-rx-serve.ts') },
  {
    key: 'rx-serve-setup',
    name: 'rx-jsonrpc serve(), setup function (a handler table per connection)',
    entry: here('many-rx-serve-setup.ts'),
  },
];

/** The row the targets are about. */
export const manyOursKey = 'rx-serve';

export function manyRowsByKey(keys: readonly string[]): ManyRow[] {
  return keys.map((key) => {
    const found = manyRows.find((each) => each.key === key);
    if (found === undefined) throw new Error(`No W9/W10 row ${key}`);
    return found;
  });
}
