// What a bundled Node app is told when the `ws` package, an optional peer dependency, cannot
// be used: "not installed" only when it is missing, "failed to load" with the reason when it
// is there and throws. The app, bundled with esbuild (`ws` left out, as bundlers leave
// native-using packages out), runs in a child process beside a node_modules of the test's.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';

const root = join(__dirname, '../..');

/** Calls through the Node webSocket() and prints how the call failed. */
const app = `
import { connect } from 'rx-jsonrpc';
import { webSocket } from 'rx-jsonrpc/node';

connect(webSocket('ws://127.0.0.1:9', { heartbeat: false }))
  .request('ping')
  .then(
    () => console.log(JSON.stringify({ answered: true })),
    (error) => console.log(JSON.stringify({ name: error.name, message: error.message, retryable: error.retryable })),
  );
`;

let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rx-jsonrpc-ws-'));
  writeFileSync(join(dir, 'app.ts'), app);
  for (const format of ['esm', 'cjs'] as const) {
    await build({
      entryPoints: [join(dir, 'app.ts')],
      bundle: true,
      format,
      platform: 'node',
      target: 'node20',
      outfile: join(dir, `app.${format === 'esm' ? 'mjs' : 'cjs'}`),
      alias: { 'rx-jsonrpc/node': join(root, 'lib/node/index.ts'), 'rx-jsonrpc': join(root, 'lib/index.ts') },
      external: ['ws'],
      logLevel: 'silent',
    });
  }
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Puts a `ws` package whose index.js is `source` beside the app, or none for undefined. */
function installWs(source: string | undefined): void {
  rmSync(join(dir, 'node_modules'), { recursive: true, force: true });
  if (source === undefined) return;
  mkdirSync(join(dir, 'node_modules/ws'), { recursive: true });
  writeFileSync(join(dir, 'node_modules/ws/package.json'), JSON.stringify({ name: 'ws', main: 'index.js' }));
  writeFileSync(join(dir, 'node_modules/ws/index.js'), source);
}

async function run(file: string): Promise<{ name: string; message: string; retryable: boolean }> {
  const env = { ...process.env, NODE_PATH: '' };
  const { stdout } = await promisify(execFile)(process.execPath, [join(dir, file)], { cwd: dir, env });
  return JSON.parse(stdout) as { name: string; message: string; retryable: boolean };
}

const needs = 'Request 1 (ping) failed: webSocket() of rx-jsonrpc/node needs the ws package, which';

describe.each(['app.mjs', 'app.cjs'])('a bundled app (%s) calling through the Node webSocket()', (file) => {
  it('is told ws is not installed when it is missing', async () => {
    installWs(undefined);
    expect(await run(file)).toEqual({
      name: 'TransportError',
      message: `${needs} is not installed: npm install ws`,
      retryable: false,
    });
  });

  it('is told ws failed to load, and why, when it throws as it loads', async () => {
    installWs("throw new Error('the native addon was built for another Node');");
    expect(await run(file)).toEqual({
      name: 'TransportError',
      message: `${needs} failed to load: the native addon was built for another Node`,
      retryable: false,
    });
  });

  it('is told ws failed to load when a module ws needs is missing, naming that module', async () => {
    installWs("require('ws-own-dependency');");
    const { message } = await run(file);
    expect(message.startsWith(`${needs} failed to load: Cannot find module 'ws-own-dependency'`)).toBe(true);
  });
});
