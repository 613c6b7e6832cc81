import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { build } from 'esbuild';

const entry = `export { batchingCalls, connect, memoryPair } from './lib/index';\nexport { webSocket, serve, serveHttp, redisBackplane } from './lib/node/index';\n`;

/**
 * Bundles lib/ the way a package build does (esbuild, one CommonJS file, rxjs, ws and redis
 * left as imports, no name-keeping helpers), with a source map for the profile. Lives under
 * node_modules/.cache so that the bundle's `require('rxjs')` finds the project's copy.
 */
export async function bundleLibrary(root: string): Promise<string> {
  // One file per run: runs started side by side in one checkout must not load each other's bundle.
  const outfile = join(root, 'node_modules', '.cache', 'rx-jsonrpc-bench', `rx-jsonrpc-${process.pid}.cjs`);
  await build({
    stdin: { contents: entry, resolveDir: root, loader: 'ts', sourcefile: 'bench-entry.ts' },
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    outfile,
    sourcemap: true,
    external: ['rxjs', 'ws', 'redis', '@redis/*'],
    logLevel: 'silent',
  });
  return outfile;
}

/** The browser entry's size, and the source files that weigh most in it. */
export interface EntrySize {
  readonly minified: number;
  readonly gzip: number;
  /** Minified bytes each file contributes (before gzip), largest first. */
  readonly largest: readonly { readonly file: string; readonly bytes: number }[];
  /** An app that imports only `connect` and `webSocket`, tree-shaken: minified and gzipped bytes. */
  readonly minimal: Bytes;
  /** The modules every call and notification passes through, bundled alone (no answering side, batches, progress, subscriptions, proxy, reconnect). */
  readonly callPath: Bytes;
  /** What an app ships for each client, bundled the same way (each peer with its own dependencies). */
  readonly sideBySide: readonly (Bytes & { readonly name: string; readonly imports: string })[];
}

interface Bytes {
  readonly minified: number;
  readonly gzip: number;
}

/**
 * What a peer cannot do without: the link and its state, frames in (parse, route by id,
 * notifications), calls out (ids, pending map, timeouts, send buffer), errors, tracing,
 * and the WebSocket transport. A smaller entry would need a smaller version of these.
 */
const callPathEntry = [
  `export { PeerConnection } from './lib/peer/link/connection';`,
  `export { Dispatcher } from './lib/peer/incoming/dispatch';`,
  `export { Outgoing } from './lib/peer/outgoing';`,
  `export { PendingCalls } from './lib/peer/caller/pending';`,
  `export { request$ } from './lib/peer/caller/request';`,
  `export { Deadlines } from './lib/peer/collections/deadlines';`,
  `export { NotificationRouter } from './lib/peer/incoming/notifications';`,
  `export { Tracer } from './lib/peer/trace';`,
  `export { webSocket } from './lib/transports/web-socket';`,
].join('\n');

/**
 * Each client as a browser app imports it (`from` is what the bundle starts from). rx-jsonrpc
 * without rxjs is `minimal`; with rxjs too, for apps that do not ship RxJS already (Angular's do).
 */
const minimalImports = `{ connect, webSocket } from 'rx-jsonrpc'`;
const minimalEntry = `export { connect, webSocket } from './lib/index';`;
const sideBySide: readonly { name: string; imports: string; withRxjs?: boolean; from?: string }[] = [
  {
    name: 'rx-jsonrpc with the rxjs it uses',
    imports: minimalImports,
    from: minimalEntry,
    withRxjs: true,
  },
  { name: 'json-rpc-2.0 (no transport, no reconnect)', imports: `{ JSONRPCClient } from 'json-rpc-2.0'` },
  { name: 'rpc-websockets', imports: `{ Client } from 'rpc-websockets'` },
  {
    name: 'vscode-jsonrpc',
    imports: `{ createMessageConnection, BrowserMessageReader, BrowserMessageWriter } from 'vscode-jsonrpc/browser'`,
  },
  {
    name: 'naive RxJS',
    imports: `{ webSocket } from 'rxjs/webSocket'; { filter, take } from 'rxjs'`,
    from: `export { webSocket } from 'rxjs/webSocket';\nexport { filter, take } from 'rxjs';`,
    withRxjs: true,
  },
];

/** `contents` bundled for the browser and minified (rxjs left out unless `withRxjs`), with the bytes each source file left in it. */
async function minifiedBundle(root: string, contents: string, withRxjs = false) {
  const result = await build({
    stdin: { contents, resolveDir: root, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    external: withRxjs ? [] : ['rxjs', 'rxjs/*'],
    write: false,
    metafile: true,
    outfile: 'bundle.js',
    logLevel: 'silent',
  });
  return { code: result.outputFiles[0]!.contents, inputs: Object.values(result.metafile.outputs)[0]?.inputs ?? {} };
}

const bytesOf = (code: Uint8Array): Bytes => ({
  minified: code.byteLength,
  gzip: gzipSync(code, { level: 9 }).byteLength,
});

const minifiedSize = async (root: string, contents: string, withRxjs = false): Promise<Bytes> =>
  bytesOf((await minifiedBundle(root, contents, withRxjs)).code);

/**
 * The size of an entry that names lib/ files, each of which must be in the bundle: esbuild
 * drops the re-export of a name a file no longer has (it may be a type) without a word.
 */
async function libEntrySize(root: string, contents: string): Promise<Bytes> {
  const { code, inputs } = await minifiedBundle(root, contents);
  for (const [, file] of contents.matchAll(/from '\.\/(lib\/[^']+)'/g)) {
    if (!(`${file}.ts` in inputs)) throw new Error(`The size entry names ${file}, but nothing of it is bundled`);
  }
  return bytesOf(code);
}

/** The browser entry bundled and minified with esbuild (rxjs left out), raw and gzipped. */
export async function browserEntrySize(root: string): Promise<EntrySize> {
  const { code, inputs } = await minifiedBundle(root, `export * from './lib/index';`);
  const minimal = await minifiedSize(root, minimalEntry);
  const largest = Object.entries(inputs)
    .filter(([file]) => file !== '<stdin>')
    .map(([file, { bytesInOutput }]) => ({ file, bytes: bytesInOutput }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 12);
  return {
    ...bytesOf(code),
    largest,
    minimal,
    callPath: await libEntrySize(root, callPathEntry),
    sideBySide: [
      { name: 'rx-jsonrpc (rxjs left out)', imports: minimalImports, ...minimal },
      ...(await Promise.all(
        sideBySide.map(async ({ name, imports, withRxjs, from }) => ({
          name,
          imports,
          ...(await minifiedSize(root, from ?? `export ${imports};`, withRxjs)),
        })),
      )),
    ],
  };
}
