// The shop example's server: the built Angular app on http://127.0.0.1:4300/ and JSON-RPC
// on ws://127.0.0.1:4300/rpc, one origin. Each client gets live prices, `server.info`,
// and `order.place`, which asks the person in the page to confirm (`ui.confirm`).
// Run it with `npm run example:angular` (builds the app first), or after a build with
// `npx tsx examples/angular/server.ts`; PORT picks another port. Ctrl-C stops it.
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { interval, map, takeWhile } from 'rxjs';
import type { Reversed } from 'rx-jsonrpc';
import { serve, type JsonRpcServer, type SetupPeer } from 'rx-jsonrpc/node';
import type { ShopApi, Tick } from './src/app/api';

/** Where `npm run example:angular:build` puts the app. */
export const appFolder = join(__dirname, 'dist', 'browser');

const symbols = ['ACME', 'INIT', 'TEA'];

/** Options of {@link shopSetup}. */
export interface ShopOptions {
  /** Milliseconds between two price ticks sent to each client. @default 1_000 */
  readonly tickInterval?: number;
}

/** The handlers and the price feed of each client's peer, for `serve()`. */
export function shopSetup({ tickInterval = 1_000 }: ShopOptions = {}): SetupPeer<Reversed<ShopApi>> {
  const started = new Date().toISOString().slice(11, 19);
  let connections = 0;
  let orders = 0;
  return (peer) => {
    const connection = ++connections;
    peer.handle('server.info', () => ({ name: 'rx-jsonrpc shop server', connection, started }));
    peer.handle('order.place', async ({ item, quantity }, { peer: client }) => {
      const id = ++orders;
      const yes = await client.request('ui.confirm', { text: `Place order #${id}: ${quantity} × ${item}?` });
      return { id, item, quantity, status: yes ? 'placed' : 'cancelled' };
    });
    // A made-up feed, one symbol per tick, until the client leaves.
    const prices = new Map(symbols.map((symbol) => [symbol, 100]));
    let open = true;
    peer.state$.subscribe({ complete: () => (open = false) });
    interval(tickInterval)
      .pipe(
        takeWhile(() => open),
        map((n): Tick => {
          const symbol = symbols[n % symbols.length]!;
          const change = (((n * 7) % 9) - 4) / 4;
          const price = prices.get(symbol)! + change;
          prices.set(symbol, price);
          return { symbol, price, change };
        }),
      )
      .subscribe((tick) => peer.notify('prices.tick', tick));
  };
}

/** A running shop server. */
export interface ShopServer {
  /** The page's address, `http://host:port/`. */
  readonly url: string;
  readonly rpc: JsonRpcServer;
  close(): Promise<void>;
}

/** Serves the built app (`app`, its index.html for any unknown path) and JSON-RPC on `/rpc`. */
export async function startShopServer(
  options: ShopOptions & { readonly port?: number; readonly host?: string; readonly app?: string } = {},
): Promise<ShopServer> {
  const app = options.app ?? appFolder;
  const http = createServer((request, response) => void sendFile(app, request, response));
  http.listen(options.port ?? 4300, options.host ?? '127.0.0.1');
  await once(http, 'listening');
  const rpc = await serve({ server: http, path: '/rpc' }, shopSetup(options));
  const { address, port } = http.address() as { address: string; port: number };
  return {
    url: `http://${address}:${port}/`,
    rpc,
    close: async () => {
      await rpc.close({ drain: 1_000 });
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    },
  };
}

const types: { readonly [extension: string]: string } = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
};

async function sendFile(app: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)).replace(/^[/\\.]+/, '');
  for (const file of [join(app, path), join(app, 'index.html')]) {
    try {
      const body = await readFile(file);
      response.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(body);
      return;
    } catch {
      // not a file: try the app's page
    }
  }
  response
    .writeHead(404, { 'content-type': 'text/plain' })
    .end(`No app in ${app}: run npm run example:angular:build\n`);
}

if (require.main === module) {
  startShopServer({ port: Number(process.env.PORT ?? 4300) }).then(
    (server) => {
      console.log(`shop on ${server.url} (JSON-RPC on ${server.url.replace(/^http/, 'ws')}rpc)`);
      process.once('SIGINT', () => void server.close().then(() => process.exit(0)));
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
