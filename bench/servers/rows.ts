import { join } from 'node:path';

/** One W7 row: a server process, and how the load generator reaches it. */
export interface ServerRow {
  /** A short stable key (`--adapters`, lookups). */
  readonly key: string;
  /** The row's label. */
  readonly name: string;
  readonly transport: 'ws' | 'http';
  /** The process's entry file. */
  readonly entry: string;
}

const here = (file: string) => join(__dirname, file);

/** Every W7 row, in table order; the first is the limit of servers over WebSocket. */
export const serverRows: readonly ServerRow[] = [
  { key: 'bare-ws', name: 'bare ws server (the limit)', transport: 'ws', entry: join(__dirname, '..', 'server.ts') },
  { key: 'rpc-websockets', name: 'rpc-websockets Server', transport: 'ws', entry: here('rpc-websockets.ts') },
  { key: 'rx-serve-ws', name: 'rx-jsonrpc serve() over WebSocket', transport: 'ws', entry: here('rx-serve.ts') },
  {
    key: 'json-rpc-2.0-http',
    name: 'json-rpc-2.0 JSONRPCServer behind node:http',
    transport: 'http',
    entry: here('json-rpc-2.0-http.ts'),
  },
  { key: 'rx-serve-http', name: 'rx-jsonrpc serve() over HTTP POST', transport: 'http', entry: here('rx-serve.ts') },
  {
    key: 'rx-serve-http-setup',
    name: 'rx-jsonrpc serve() over HTTP POST, setup function (a peer per POST)',
    transport: 'http',
    entry: here('rx-serve-setup.ts'),
  },
  {
    key: 'rx-serve-http-listener',
    name: 'rx-jsonrpc serveHttp() listener in node:http',
    transport: 'http',
    entry: here('rx-serve-http.ts'),
  },
];

/** The rows the targets compare: ours against the peer, per transport. */
export const serverTargets = [
  { ours: 'rx-serve-ws', peer: 'rpc-websockets', peerName: "rpc-websockets' Server", transport: 'WebSocket' },
  {
    ours: 'rx-serve-http',
    peer: 'json-rpc-2.0-http',
    peerName: 'json-rpc-2.0 behind node:http',
    transport: 'HTTP',
  },
] as const;

export function serverRowsByKey(keys: readonly string[]): ServerRow[] {
  return keys.map((key) => {
    const found = serverRows.find((each) => each.key === key);
    if (found === undefined) throw new Error(`No server row ${key}`);
    return found;
  });
}
