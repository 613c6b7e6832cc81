import { defineConfig } from 'tsup';

// One build, every public entry. A new entry goes here, in package.json `exports` and
// `typesVersions`, in typedoc.json, .size-limit.json and scripts/test-pack.mjs.
const entry = {
  index: 'lib/index.ts',
  'node/index': 'lib/node/index.ts',
  'angular/index': 'lib/angular/index.ts',
  'protocol/index': 'lib/protocol-entry.ts',
};

export default defineConfig({
  entry,
  format: ['esm', 'cjs'],
  outDir: 'dist',
  // Explicit extensions whatever package.json `type` says: .mjs/.d.mts for import, .cjs/.d.cts for require.
  outExtension: ({ format }) => (format === 'esm' ? { js: '.mjs', dts: '.d.mts' } : { js: '.cjs', dts: '.d.cts' }),
  // Shared code lives in chunks, so `rx-jsonrpc/node` uses the very classes `rx-jsonrpc` exports
  // (`instanceof JsonRpcError` holds for errors raised inside serve()), in ESM and in CommonJS.
  splitting: true,
  dts: { entry, compilerOptions: { composite: false, incremental: false } },
  tsconfig: 'tsconfig.build.json',
  target: 'es2022',
  platform: 'neutral',
  // Peers and Node built-ins stay imports; the package ships its own code only.
  external: ['rxjs', 'ws', /^@angular\//, /^node:/],
  removeNodeProtocol: false,
  treeshake: true,
  sourcemap: true,
  clean: true,
  minify: false,
});
