// The error classes keep their names once built: in the package's own tsup build (ESM and
// CommonJS, the options of tsup.config.ts) and in a user's bundle, minified. Node prints an
// error by its constructor's name, so both `name` and the constructor's are checked, in a
// child process that loads what was built.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build as esbuild } from 'esbuild';

const root = join(__dirname, '../..');
const classes = [
  'JsonRpcError',
  'TransportError',
  'ConnectionClosedError',
  'ProtocolError',
  'HandlerError',
  'RequestTimeoutError',
];

/** Loads a build (`load`: an expression giving its exports) and prints, per class, `name`, the constructor's name and the first line Node prints. */
const program = (load: string) => `
const { inspect } = require('node:util');
Promise.resolve(${load}).then((rx) => {
  const made = {
    JsonRpcError: () => new rx.JsonRpcError(-32601, 'Method not found', undefined, { method: 'a.b', id: 6 }),
    RequestTimeoutError: () => new rx.RequestTimeoutError(6, 'a.b', 300),
  };
  const names = ${JSON.stringify(classes)}.map((name) => {
    const error = (made[name] ?? (() => new rx[name]('failed')))();
    return [error.name, error.constructor.name, inspect(error).split('\\n')[0]];
  });
  console.log(JSON.stringify(names));
});`;

async function namesIn(dir: string, load: string): Promise<string[][]> {
  const file = join(dir, `names-${Math.random().toString(36).slice(2)}.cjs`);
  writeFileSync(file, program(load));
  const { stdout } = await promisify(execFile)(process.execPath, [file], { cwd: dir });
  return JSON.parse(stdout) as string[][];
}

const expected = classes.map((name) => {
  const message = {
    JsonRpcError: 'Request 6 (a.b) failed: Method not found (-32601)',
    RequestTimeoutError: 'Request 6 (a.b) timed out after 300 ms',
  }[name];
  return [name, name, `${name}: ${message ?? 'failed'}`];
});

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rx-jsonrpc-names-'));
  // The build leaves rxjs and the package's own dependencies out, as the package does: they are
  // found beside it, as in an app.
  mkdirSync(join(dir, 'node_modules'));
  const { dependencies = {} } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  for (const name of ['rxjs', ...Object.keys(dependencies)]) {
    symlinkSync(join(root, 'node_modules', name), join(dir, 'node_modules', name));
  }
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the error classes', () => {
  it("keep their names in the package's build, as ESM and as CommonJS", async () => {
    // tsup as `npm run build` runs it (tsup.config.ts), into a folder of the test's, without the declarations.
    const tsup = join(root, 'node_modules/.bin/tsup');
    await promisify(execFile)(tsup, ['--out-dir', join(dir, 'dist'), '--no-dts', '--silent'], { cwd: root });
    expect(await namesIn(dir, `require('./dist/index.cjs')`)).toEqual(expected);
    expect(await namesIn(dir, `import('./dist/index.mjs')`)).toEqual(expected);
  }, 60_000);

  it("keep their names in a user's minified bundle", async () => {
    const file = join(dir, 'bundle.cjs');
    await esbuild({
      entryPoints: [join(root, 'lib/index.ts')],
      bundle: true,
      minify: true,
      format: 'cjs',
      platform: 'node',
      target: 'es2020',
      outfile: file,
      logLevel: 'silent',
    });
    expect(await namesIn(dir, `require('./bundle.cjs')`)).toEqual(expected);
  }, 60_000);
});
