// The example Angular app (examples/angular) built by the Angular CLI against the packed tarball, as
// test:pack runs it: the app copied into a project of its own, its tsconfig without the `paths` that
// map rx-jsonrpc to lib/ in this repository, the tarball installed with npm, and `ng build`. The CLI,
// Angular, rxjs, tslib, zone.js and TypeScript are this repository's installed packages, linked into
// the project's node_modules rather than downloaded again (Node and esbuild follow the links to their
// real paths, so there is one rxjs in the app, the one rx-jsonrpc also resolves).
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const linked = [
  '@angular/build',
  '@angular/cli',
  '@angular/common',
  '@angular/compiler',
  '@angular/compiler-cli',
  '@angular/core',
  '@angular/platform-browser',
  'rxjs',
  'tslib',
  'typescript',
  'zone.js',
];

/**
 * Makes the project in `app` from `root`'s examples/angular, with `tarball` installed by `install(args,
 * cwd)`; returns the files of the app the build must show: the packed entries, under node_modules.
 */
export function prepareAngularApp(root, app, tarball, install) {
  const example = join(root, 'examples', 'angular');
  mkdirSync(app);
  for (const name of ['angular.json', 'tsconfig.json', 'src'])
    cpSync(join(example, name), join(app, name), { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'smoke-angular', private: true, type: 'module' }));

  const tsconfig = JSON.parse(readFileSync(join(app, 'tsconfig.json'), 'utf8'));
  if (!tsconfig.compilerOptions.paths) throw new Error('examples/angular/tsconfig.json has no paths to drop any more');
  delete tsconfig.compilerOptions.paths;
  delete tsconfig.compilerOptions.baseUrl;
  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  // Its $schema points into this repository's node_modules, two folders up.
  const workspace = JSON.parse(readFileSync(join(app, 'angular.json'), 'utf8'));
  delete workspace.$schema;
  writeFileSync(join(app, 'angular.json'), JSON.stringify(workspace, null, 2));

  // --legacy-peer-deps: npm would otherwise add rxjs, a peer of the tarball; the linked one is used.
  install(['--legacy-peer-deps', tarball], app);
  mkdirSync(join(app, 'node_modules', '@angular'), { recursive: true });
  for (const name of linked) symlinkSync(join(root, 'node_modules', name), join(app, 'node_modules', name), 'dir');
  return ['node_modules/rx-jsonrpc/dist/index.mjs', 'node_modules/rx-jsonrpc/dist/angular/index.mjs'];
}

/**
 * Reads the esbuild metafile that `ng build --stats-json` writes: the build used the packed entries
 * (`entries`), and no source of this repository's lib/ (every file read is the app's own or a package's).
 */
export function checkAngularBuild(app, entries) {
  const inputs = Object.keys(JSON.parse(readFileSync(join(app, 'dist', 'stats.json'), 'utf8')).inputs);
  const missing = entries.filter((entry) => !inputs.includes(entry));
  if (missing.length > 0)
    throw new Error(`ng build did not use ${missing.join(', ')}; its inputs:\n${inputs.join('\n')}`);
  // Inputs named `angular:…` are the compiler's virtual modules (component styles).
  const files = inputs.filter((input) => !/^[a-z-]+:/.test(input));
  const foreign = files.filter((input) => !input.startsWith('src/') && !input.includes('node_modules/'));
  if (foreign.length > 0)
    throw new Error(`ng build read files outside the app and its packages: ${foreign.join(', ')}`);
  return `ran: ng build of examples/angular, ${inputs.filter((input) => input.includes('node_modules/rx-jsonrpc/')).length} files of the tarball in the bundle`;
}
