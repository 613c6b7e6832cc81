#!/usr/bin/env node
// The package as a user gets it: `npm pack` (which builds, through `prepack`), the tarball installed
// into a fresh project under os.tmpdir() beside rxjs and ws, then every entry imported from ESM,
// from CommonJS and from TypeScript (moduleResolution node16, from an .mts and a .cts file, and
// bundler), each doing real work; then the README's quick start, read from README.md, run in each kind
// of project (scripts/pack-quick-start.mjs), and the example Angular app built by `ng build` against
// the tarball (scripts/pack-angular-app.mjs). `npm run test:pack`; `--keep` leaves the projects for a look.
//
// A new entry goes in `entries` and gets a check in each of the programs below.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkAngularBuild, prepareAngularApp } from './pack-angular-app.mjs';
import { checkQuickStartOutput, readQuickStart, runBounded, startServer } from './pack-quick-start.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const keep = process.argv.includes('--keep');
const entries = ['rx-jsonrpc', 'rx-jsonrpc/node', 'rx-jsonrpc/angular', 'rx-jsonrpc/protocol'];
const require = createRequire(join(root, 'package.json'));
const version = (name) => JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')).version;
const tsc = join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');

function run(command, args, cwd) {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    process.stderr.write(`\n$ ${command} ${args.join(' ')}  (in ${cwd})\n${error.stdout ?? ''}${error.stderr ?? ''}\n`);
    throw new Error(`${command} ${args.join(' ')} failed with status ${error.status}`);
  }
}

async function step(name, fn) {
  const started = Date.now();
  const output = await fn();
  console.log(`ok  ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  // What the programs print (their `ran: ...` line) shows what they did.
  if (typeof output === 'string' && /^ran: /m.test(output)) {
    for (const line of output.split('\n').filter((line) => line.startsWith('ran: '))) console.log(`      ${line}`);
  }
}

// The same program, once as ESM and once as CommonJS: `rx`, `node`, `angular` and `protocol` are the entries,
// `ng` is @angular/core.
const program = `
async function main() {
  for (const [entry, exports] of Object.entries({ 'rx-jsonrpc': rx, 'rx-jsonrpc/node': node, 'rx-jsonrpc/angular': angular, 'rx-jsonrpc/protocol': protocol })) {
    const names = Object.keys(exports).filter((name) => name !== 'default' && name !== '__esModule');
    if (names.length < 5) throw new Error(entry + ' exports only ' + names.join(', '));
    for (const name of names) if (exports[name] === undefined) throw new Error(entry + ' exports ' + name + ' as undefined');
  }

  // The browser entry: two peers over the memory pair.
  const link = rx.memoryPair();
  const server = rx.connect(link.server);
  server.handle('math.sum', ([a, b]) => a + b);
  const client = rx.connect(link.client);
  const sum = await client.request('math.sum', [1, 2]);
  if (sum !== 3) throw new Error('memoryPair: math.sum answered ' + sum);
  client.close();
  server.close();

  // The protocol entry: a frame decoded and classified; its errors are the main entry's classes.
  if (protocol.classify(protocol.decodeFrame('{"jsonrpc":"2.0","method":"tick"}')) !== 'notification') {
    throw new Error('protocol: a notification was not classified as one');
  }
  const parseFailure = (() => { try { protocol.decodeFrame('{'); } catch (error) { return error; } })();
  if (!(parseFailure instanceof rx.ProtocolError)) throw new Error('protocol: decodeFrame threw ' + parseFailure);

  // The Node entry: serve() and its ws client; its errors are the main entry's classes.
  const wss = await node.serve({ port: 0 }, (peer) => peer.handle('ping', () => 'pong'));
  const remote = rx.connect(node.webSocket(wss.url), { timeout: 5000 });
  const pong = await remote.request('ping');
  if (pong !== 'pong') throw new Error('serve: ping answered ' + pong);
  const failure = await remote.request('nope').then(() => undefined, (error) => error);
  if (!(failure instanceof rx.JsonRpcError) || failure.code !== rx.ErrorCodes.MethodNotFound) {
    throw new Error('serve: expected a JsonRpcError -32601 from the main entry, got ' + failure);
  }
  remote.close();
  await wss.close();

  // Framing from the Node entry.
  const decoded = [];
  const decoder = node.newline().decoder({ frame: (frame) => decoded.push(frame), error: (error) => { throw error; } });
  decoder.push(Buffer.from('{"a":1}\\n{"b":2}\\n'));
  if (decoded.length !== 2) throw new Error('newline framing decoded ' + decoded.length + ' frames');

  // The Angular entry: an injector with provideJsonRpc() makes the peer; destroying it closes the peer.
  const ngLink = rx.memoryPair();
  const ngServer = rx.connect(ngLink.server);
  ngServer.handle('ping', () => 'pong');
  const injector = ng.createEnvironmentInjector(
    [ng.provideZonelessChangeDetection(), angular.provideJsonRpc({ transport: ngLink.client })],
    ng.Injector.NULL,
  );
  const injected = ng.runInInjectionContext(injector, () => angular.injectJsonRpc());
  if (injected !== ng.runInInjectionContext(injector, () => ng.inject(angular.JSON_RPC))) throw new Error('two peers');
  const ngPong = await injected.request('ping');
  if (ngPong !== 'pong') throw new Error('angular: ping answered ' + ngPong);
  const states = [];
  injected.state$.subscribe((state) => states.push(state.status));
  injector.destroy();
  await new Promise((resolve) => setTimeout(resolve, 10));
  if (states.at(-1) !== 'closed') throw new Error('angular: the peer outlived its injector: ' + states.join(' '));
  ngServer.close();
  console.log('ran: memoryPair, decodeFrame + classify, serve + webSocket, newline framing, provideJsonRpc');
}
main().catch((error) => {
  console.error(error);
  process.exit(1);
});
`;

// The typed API through the published declarations; the @ts-expect-error lines prove the types are not `any`.
const typed = `
import { connect, ErrorCodes, JsonRpcError, memoryPair, type Peer, type Reversed } from 'rx-jsonrpc';
import { serve, webSocket, type JsonRpcServer } from 'rx-jsonrpc/node';
import { classify, type MessageKind } from 'rx-jsonrpc/protocol';

interface Api {
  calls: { 'math.sum': (params: [number, number]) => number };
  serves: { 'ui.confirm': (params: { text: string }) => boolean };
  receives: { 'chat.message': { text: string } };
  sends: { typing: [room: string] };
}

export async function main(): Promise<void> {
  const link = memoryPair();
  const server: Peer<Reversed<Api>> = connect<Reversed<Api>>(link.server);
  server.handle('math.sum', ([a, b]) => a + b);
  const client = connect<Api>(link.client);
  const sum: number = await client.request('math.sum', [1, 2]);
  // @ts-expect-error: params are checked
  void client.request$('math.sum', ['1', 2]);
  // @ts-expect-error: results are typed
  const wrong: string = await client.request('math.sum', [1, 2]);
  void wrong;
  if (sum !== 3) throw new Error('math.sum answered ' + sum);
  client.close();
  server.close();
  const kind: MessageKind = classify({ jsonrpc: '2.0', id: 1, result: 3 });
  // @ts-expect-error: a MessageKind is one of four words
  const notAKind: MessageKind = 'answer';
  void notAKind;
  if (kind !== 'response') throw new Error('classify said ' + kind);

  const wss: JsonRpcServer = await serve({ port: 0 }, (peer) => peer.handle('ping', () => 'pong'));
  const remote = connect(webSocket(wss.url!));
  const failure: unknown = await remote.request('nope').catch((error: unknown) => error);
  if (!(failure instanceof JsonRpcError) || failure.code !== ErrorCodes.MethodNotFound) throw new Error('not a JsonRpcError');
  remote.close();
  await wss.close();
  console.log('ran: typed memoryPair, serve + webSocket');
}
`;

// The Angular entry, typed; ESM only, like @angular/core (a .cts file cannot import it under node16).
const typedAngular = `
import { createEnvironmentInjector, Injector, provideZonelessChangeDetection, runInInjectionContext, type EnvironmentInjector, type ResourceRef } from '@angular/core';
import { connect, memoryPair, type Peer } from 'rx-jsonrpc';
import { injectJsonRpc, jsonRpcResource, jsonRpcToken, provideJsonRpc } from 'rx-jsonrpc/angular';

interface PricesApi {
  calls: { 'price.quote': (params: { symbol: string }) => number };
}
const PRICES = jsonRpcToken<PricesApi>('prices');

export async function angularMain(): Promise<void> {
  const link = memoryPair();
  const server = connect(link.server);
  server.handle('price.quote', () => 42);
  const injector = createEnvironmentInjector(
    [provideZonelessChangeDetection(), provideJsonRpc<PricesApi>({ name: 'prices', transport: link.client })],
    Injector.NULL as EnvironmentInjector,
  );
  const prices: Peer<PricesApi> = runInInjectionContext(injector, () => injectJsonRpc(PRICES));
  const quote: number = await prices.request('price.quote', { symbol: 'EUR' });
  // @ts-expect-error: params are checked
  void prices.request$('price.quote', { symbol: 1 });
  if (quote !== 42) throw new Error('price.quote answered ' + quote);
  injector.destroy();
  server.close();
  console.log('ran: typed provideJsonRpc');
}

// jsonRpcResource() is type-checked only: a resource needs an application's root injector (its effect scheduler),
// which an environment injector made here lacks; spec/angular/json-rpc-resource.spec.ts runs it in TestBed.
export function quoteResource(symbol: () => string | undefined): ResourceRef<number | undefined> {
  return jsonRpcResource<number>(
    () => {
      const value = symbol();
      return value === undefined ? undefined : { method: 'price.quote', params: { symbol: value } };
    },
    { connection: 'prices' },
  );
}
// @ts-expect-error: a request names its method
export const methodless = () => jsonRpcResource(() => ({ params: [] }));
`;

// The browser entry imports nothing a browser lacks: walk its files and their chunks.
// Besides rxjs, it may import the package's own `dependencies` (installed with it, e.g. eventsource-parser), never
// `ws`, a `node:` module or anything the user must install.
function checkBrowserEntry(packageDir) {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  const exportsMap = manifest.exports;
  const allowed = new Set(['rxjs', ...Object.keys(manifest.dependencies ?? {})]);
  const seen = new Set();
  const bare = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const [, specifier] of source.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]/g)) {
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier));
      else bare.add(specifier);
    }
  };
  visit(join(packageDir, exportsMap['.'].import.default));
  const foreign = [...bare].filter((specifier) => !allowed.has(specifier));
  if (foreign.length > 0) throw new Error(`The browser entry imports ${foreign.join(', ')}`);
  return `ran: the browser entry imports ${[...bare].join(', ')}`;
}

// `ws` is an optional peer: without it, the Node entry still loads and its process, stream and TCP
// transports work; only webSocket() and serve() fail, with an error that says what to install.
const withoutWs = `
async function main() {
  const child = rx.connect(node.spawnProcess(process.execPath, ['echo.cjs'], { framing: 'newline' }), { timeout: 5000 });
  const echoed = await child.request('echo', ['no ws']);
  if (echoed?.[0] !== 'no ws') throw new Error('spawnProcess answered ' + JSON.stringify(echoed));
  child.close();

  const expected = 'needs the ws package, which is not installed: npm install ws';
  const client = rx.connect(node.webSocket('ws://127.0.0.1:9'));
  const failure = await client.request('ping').then(() => undefined, (error) => error);
  if (!(failure instanceof rx.TransportError) || !failure.message.includes('webSocket() of rx-jsonrpc/node ' + expected)) {
    throw new Error('webSocket() without ws failed with ' + failure);
  }
  const refused = await node.serve({ port: 0 }, () => undefined).then(() => undefined, (error) => error);
  if (refused?.message !== 'serve() ' + expected) throw new Error('serve() without ws failed with ' + refused);
  console.log('ran: spawnProcess without ws; webSocket() and serve() ask for it');
}
main().catch((error) => {
  console.error(error);
  process.exit(1);
});
`;

const work = mkdtempSync(join(tmpdir(), 'rx-jsonrpc-pack-'));
// What the projects start (the README's server), stopped by process group in `finally`.
const stops = [];
try {
  let tarball;
  await step('npm pack', () => {
    run('npm', ['pack', '--pack-destination', work, '--silent'], root);
    tarball = join(
      work,
      readdirSync(work).find((name) => name.endsWith('.tgz')),
    );
  });

  const project = join(work, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'smoke', private: true, type: 'module' }));
  // tsx runs the README's client as the README says (`npx tsx client.mts`); esbuild comes with it.
  const deps = ['rxjs', 'ws', '@angular/core', '@types/ws', '@types/node', 'typescript', 'tsx'].map(
    (name) => `${name}@${version(name)}`,
  );
  await step(`npm install the tarball, ${deps.join(', ')}`, () =>
    run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball, ...deps], project),
  );
  const packageDir = join(project, 'node_modules', 'rx-jsonrpc');

  // The README's quick start, from README.md: its server, started with its one command where the
  // tarball and ws are installed (on port 0; scripts/pack-quick-start.mjs), and its client file,
  // connecting to that server, in this ESM project and in a CommonJS one (cjs/, with the project's
  // node_modules). The TypeScript steps below compile that file too; the last step runs it in each.
  const quickStart = readQuickStart(join(root, 'README.md'));
  const cjs = join(project, 'cjs');
  await step("the README's quick start: its server, started with its command", async () => {
    const server = await startServer(quickStart.server, project, /listening on (ws:\/\/\S+)/);
    stops.push(server.stop);
    const client = quickStart.client(server.match[1]);
    writeFileSync(join(project, quickStart.file), client);
    mkdirSync(cjs);
    writeFileSync(join(cjs, 'package.json'), JSON.stringify({ name: 'smoke-cjs', private: true, type: 'commonjs' }));
    writeFileSync(join(cjs, quickStart.file), client);
  });

  await step('the browser entry imports only rxjs and the dependencies', () => checkBrowserEntry(packageDir));

  writeFileSync(
    join(project, 'esm.mjs'),
    `import * as rx from 'rx-jsonrpc';\nimport * as node from 'rx-jsonrpc/node';\nimport * as angular from 'rx-jsonrpc/angular';\nimport * as protocol from 'rx-jsonrpc/protocol';\nimport * as ng from '@angular/core';\n${program}`,
  );
  writeFileSync(
    join(project, 'cjs.cjs'),
    // @angular/core is ESM only: require() reaches it through Node's require(esm) (Node 20.19 and later).
    `const rx = require('rx-jsonrpc');\nconst node = require('rx-jsonrpc/node');\nconst angular = require('rx-jsonrpc/angular');\nconst protocol = require('rx-jsonrpc/protocol');\nconst ng = require('@angular/core');\n${program}`,
  );
  await step('ESM: import every entry and run', () => run(process.execPath, ['esm.mjs'], project));
  await step('CommonJS: require every entry and run', () => run(process.execPath, ['cjs.cjs'], project));

  // TypeScript, as users compile it; strict, and the published .d.ts files checked too (no skipLibCheck).
  const compilerOptions = { strict: true, skipLibCheck: false, target: 'ES2022', types: ['node'] };
  const write = (path, text) => {
    mkdirSync(dirname(join(project, path)), { recursive: true });
    writeFileSync(join(project, path), text);
  };
  write(
    'node16/check.mts',
    `${typed}\nimport { angularMain } from './angular.mjs';\nawait main();\nawait angularMain();\n`,
  );
  write('node16/angular.mts', typedAngular);
  write('node16/check.cts', `${typed}\nvoid main();\n`);
  write(
    'tsconfig.node16.json',
    JSON.stringify({
      compilerOptions: { ...compilerOptions, module: 'node16', moduleResolution: 'node16', outDir: 'out' },
      include: ['node16'],
    }),
  );
  write(
    'bundler/check.ts',
    `${typed}\nimport { angularMain } from './angular';\nawait main();\nawait angularMain();\n`,
  );
  write('bundler/angular.ts', typedAngular);
  write(
    'tsconfig.bundler.json',
    JSON.stringify({
      compilerOptions: { ...compilerOptions, module: 'preserve', moduleResolution: 'bundler', noEmit: true },
      include: ['bundler', quickStart.file],
    }),
  );
  await step('TypeScript, moduleResolution node16 (.mts and .cts): compile and run', () => {
    run(process.execPath, [tsc, '-p', 'tsconfig.node16.json'], project);
    return (
      run(process.execPath, [join('out', 'check.mjs')], project) +
      run(process.execPath, [join('out', 'check.cjs')], project)
    );
  });
  await step('TypeScript, moduleResolution bundler: type-check', () =>
    run(process.execPath, [tsc, '-p', 'tsconfig.bundler.json'], project),
  );
  // The declarations hold under the strictest optional-property rule too (issue 25).
  write(
    'tsconfig.exact.json',
    JSON.stringify({
      compilerOptions: {
        ...compilerOptions,
        exactOptionalPropertyTypes: true,
        module: 'preserve',
        moduleResolution: 'bundler',
        // Emitted for the quick start's run; the bundler/ files are only checked.
        outDir: 'out-exact',
      },
      include: ['bundler', quickStart.file],
    }),
  );
  await step('TypeScript, exactOptionalPropertyTypes: type-check', () =>
    run(process.execPath, [tsc, '-p', 'tsconfig.exact.json'], project),
  );
  write(
    'tsconfig.nodenext.json',
    JSON.stringify({
      compilerOptions: { ...compilerOptions, module: 'nodenext', moduleResolution: 'nodenext', outDir: 'out-nodenext' },
      files: [quickStart.file],
    }),
  );
  await step("TypeScript, moduleResolution nodenext: compile the README's quick start", () =>
    run(process.execPath, [tsc, '-p', 'tsconfig.nodenext.json'], project),
  );
  const bundle = 'quick-start.bundle.mjs';
  await step("esbuild: bundle the README's quick start for Node", () =>
    // The banner is esbuild's recipe for an ES module bundle of CommonJS code (ws) on Node.
    run(
      join(project, 'node_modules', '.bin', 'esbuild'),
      [
        quickStart.file,
        '--bundle',
        '--platform=node',
        '--format=esm',
        `--outfile=${bundle}`,
        '--log-level=warning',
      ].concat(
        "--banner:js=import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      ),
      project,
    ),
  );
  const compiled = quickStart.file.replace(/\.([mc]?)ts$/, '.$1js');
  const node = JSON.stringify(process.execPath);
  const runs = {
    [`ESM project: ${quickStart.command}`]: [quickStart.command, project],
    [`CommonJS project: ${quickStart.command}`]: [quickStart.command, cjs],
    'tsc, moduleResolution nodenext': [`${node} ${join('out-nodenext', compiled)}`, project],
    'tsc, exactOptionalPropertyTypes': [`${node} ${join('out-exact', compiled)}`, project],
    'esbuild bundle': [`${node} ${bundle}`, project],
  };
  await step(`the README's quick start, run ${Object.keys(runs).length} ways at once`, async () => {
    const outputs = await Promise.all(Object.values(runs).map(([command, cwd]) => runBounded(command, cwd)));
    Object.keys(runs).forEach((way, index) => checkQuickStartOutput(outputs[index], way));
    return `ran: the quick start's ${quickStart.file} (${Object.keys(runs).join('; ')})`;
  });

  const bare = join(work, 'without-ws');
  mkdirSync(bare);
  writeFileSync(
    join(bare, 'package.json'),
    JSON.stringify({ name: 'smoke-without-ws', private: true, type: 'module' }),
  );
  await step('npm install the tarball and rxjs only (no ws)', () => {
    run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball, `rxjs@${version('rxjs')}`], bare);
    if (readdirSync(join(bare, 'node_modules')).includes('ws')) throw new Error('ws was installed anyway');
  });
  // A newline-framed server on stdio that answers each call with its params.
  writeFileSync(
    join(bare, 'echo.cjs'),
    `require('node:readline').createInterface({ input: process.stdin }).on('line', (line) => {
  const { id, params } = JSON.parse(line);
  process.stdout.write(JSON.stringify({ jsonrpc: '2.0', id, result: params }) + '\\n');
});
`,
  );
  writeFileSync(
    join(bare, 'esm.mjs'),
    `import * as rx from 'rx-jsonrpc';\nimport * as node from 'rx-jsonrpc/node';\n${withoutWs}`,
  );
  writeFileSync(
    join(bare, 'cjs.cjs'),
    `const rx = require('rx-jsonrpc');\nconst node = require('rx-jsonrpc/node');\n${withoutWs}`,
  );
  await step('without ws, ESM: the Node entry loads and runs', () => run(process.execPath, ['esm.mjs'], bare));
  await step('without ws, CommonJS: the Node entry loads and runs', () => run(process.execPath, ['cjs.cjs'], bare));

  // The example Angular app, built against the tarball (scripts/pack-angular-app.mjs).
  const app = join(work, 'angular-app');
  let appEntries;
  await step('examples/angular: copy, drop its paths to lib/, npm install the tarball, link Angular', () => {
    appEntries = prepareAngularApp(root, app, tarball, (args, cwd) =>
      run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...args], cwd),
    );
  });
  await step('examples/angular: ng build', () => {
    const ng = join(app, 'node_modules', '@angular', 'cli', 'bin', 'ng.js');
    run(process.execPath, [ng, 'build', '--stats-json'], app);
    return checkAngularBuild(app, appEntries);
  });
  console.log(`The packed tarball works from ${entries.join(', ')}.`);
} finally {
  for (const stop of stops) stop();
  if (keep) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
