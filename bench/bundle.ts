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

/** The browser entry bundled and minified with esbuild (rxjs left out), raw and gzipped. */
export async function browserEntrySize(root: string): Promise<{ minified: number; gzip: number }> {
  const result = await build({
    entryPoints: [join(root, 'lib/index.ts')],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    external: ['rxjs', 'rxjs/*'],
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.contents;
  return { minified: code.byteLength, gzip: gzipSync(code, { level: 9 }).byteLength };
}
