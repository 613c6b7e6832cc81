import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { build } from 'esbuild';

const entry = `export { connect, memoryPair } from './lib/index';\nexport { webSocket } from './lib/node/index';\n`;

/**
 * Bundles lib/ the way a package build does (esbuild, one CommonJS file, rxjs and ws left
 * as imports, no name-keeping helpers), with a source map for the profile. Lives under
 * node_modules/.cache so that the bundle's `require('rxjs')` finds the project's copy.
 */
export async function bundleLibrary(root: string): Promise<string> {
  const outfile = join(root, 'node_modules', '.cache', 'rx-jsonrpc-bench', 'rx-jsonrpc.cjs');
  await build({
    stdin: { contents: entry, resolveDir: root, loader: 'ts', sourcefile: 'bench-entry.ts' },
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    outfile,
    sourcemap: true,
    external: ['rxjs', 'ws'],
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
  readonly minimal: { readonly minified: number; readonly gzip: number };
}

/** The browser entry bundled and minified with esbuild (rxjs left out), raw and gzipped. */
export async function browserEntrySize(root: string): Promise<EntrySize> {
  const result = await build({
    entryPoints: [join(root, 'lib/index.ts')],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    external: ['rxjs', 'rxjs/*'],
    write: false,
    metafile: true,
    outfile: 'browser-entry.js',
    logLevel: 'silent',
  });
  const minimal = await build({
    stdin: { contents: `export { connect, webSocket } from './lib/index';\n`, resolveDir: root, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    external: ['rxjs', 'rxjs/*'],
    write: false,
    logLevel: 'silent',
  });
  const minimalCode = minimal.outputFiles[0]!.contents;
  const code = result.outputFiles[0]!.contents;
  const inputs = Object.values(result.metafile.outputs)[0]?.inputs ?? {};
  const largest = Object.entries(inputs)
    .map(([file, { bytesInOutput }]) => ({ file, bytes: bytesInOutput }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 12);
  return {
    minified: code.byteLength,
    gzip: gzipSync(code, { level: 9 }).byteLength,
    largest,
    minimal: { minified: minimalCode.byteLength, gzip: gzipSync(minimalCode, { level: 9 }).byteLength },
  };
}
