// The harness: `npm run bench` (full) or `npm run bench:quick`. Starts the server in its
// own process, runs each workload in a fresh client process, stops the server by its pid
// (even on failure), and writes the report.
//
//   tsx bench/run.ts [--quick] [--out DIR]
//   tsx bench/run.ts --report-only   (writes the report again from bench/results/full.json)
//   tsx bench/run.ts --only w3,w4 [--adapters bare-ws,rx-request] [--quick]
//     (a focused run while working on one workload: prints its results and profile summaries,
//     writes no report; --adapters replaces each step's list of adapters)
//
// The full run writes docs/benchmarks.md and docs/bench-*.svg; the quick run writes to a
// temporary directory (or --out) so that it never overwrites the committed report.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { format } from 'prettier';
import { fullPlan, quickPlan, type Step } from './plan';
import { summariseProfile } from './profile';
import { collectMachine, type RunResults } from './results';
import { writeReport } from './report';
import { soakSections } from './report-soak';
import { browserEntrySize, bundleLibrary } from './bundle';
import { bundleVariable } from './library';
import type { ProfiledRun } from './workloads/profile';
import type { SmokeResult } from './workloads/smoke';

const root = resolve(__dirname, '..');
const quick = process.argv.includes('--quick');
/** The value after `flag`, split at commas, if the flag is given. */
function listFlag(flag: string): string[] | undefined {
  const index = process.argv.indexOf(flag);
  return index > 0 ? (process.argv[index + 1] ?? '').split(',').filter(Boolean) : undefined;
}
const only = listFlag('--only');
const onlyAdapters = listFlag('--adapters');
const outIndex = process.argv.indexOf('--out');
const outDir =
  outIndex > 0
    ? resolve(process.argv[outIndex + 1]!)
    : quick
      ? join(tmpdir(), 'rx-jsonrpc-bench-quick')
      : join(root, 'docs');

/** Processes this harness started and must stop, by pid. */
const children = new Set<ChildProcess>();

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return Promise.resolve();
  return new Promise((done) => {
    const killer = setTimeout(() => process.kill(child.pid!, 'SIGKILL'), 3_000);
    child.once('exit', () => {
      clearTimeout(killer);
      done();
    });
    process.kill(child.pid!, 'SIGTERM');
  });
}

async function stopAll(): Promise<void> {
  await Promise.all([...children].map(stop));
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\nbench: ${signal}, stopping the server and workers`);
    void stopAll().finally(() => process.exit(130));
  });
}

function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/** Starts the server; resolves with it and its port once it listens. */
function startServer(): Promise<{ server: ChildProcess; port: number }> {
  const server = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'server.ts')], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.add(server);
  server.once('exit', () => children.delete(server));
  return new Promise((resolvePort, reject) => {
    const timer = setTimeout(() => reject(new Error('The server did not listen within 20 s')), 20_000);
    server.once('message', (message: { type?: string; port?: number }) => {
      clearTimeout(timer);
      if (message.type === 'listening' && typeof message.port === 'number') resolvePort({ server, port: message.port });
      else reject(new Error(`Unexpected message from the server: ${JSON.stringify(message)}`));
    });
    server.once('exit', (code) => reject(new Error(`The server exited (${code}) before listening`)));
  });
}

/** Runs one workload in a fresh client process; resolves with what it reports. */
function runWorker(
  step: Step,
  url: string,
  bundle: string,
  prefix: readonly string[],
  extraFlags: readonly string[] = [],
): Promise<unknown> {
  const config = {
    url,
    quick,
    rounds: step.rounds,
    adapters: step.adapters,
    sizes: step.sizes,
    levels: step.levels,
    deadlineMs: step.deadlineMs,
  };
  const args = [
    ...(step.nodeFlags ?? []),
    ...extraFlags,
    '--import',
    'tsx',
    join(__dirname, step.entry ?? 'worker.ts'),
    step.workload,
    JSON.stringify(config),
  ];
  const [command, ...commandArgs] =
    prefix.length > 0 ? [...prefix, process.execPath, ...args] : [process.execPath, ...args];
  const child = spawn(command!, commandArgs, {
    cwd: root,
    env: { ...process.env, [bundleVariable]: bundle },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.add(child);
  return new Promise((resolveResult, reject) => {
    let message: { ok: boolean; result?: unknown; error?: string } | undefined;
    const limit = step.deadlineMs + 10_000;
    const timer = setTimeout(() => {
      reject(new Error(`${step.workload} took longer than ${limit} ms`));
      void stop(child);
    }, limit);
    child.on('message', (received: typeof message) => (message = received));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      if (message?.ok) resolveResult(message.result);
      else reject(new Error(message?.error ?? `${step.workload} exited with ${signal ?? code}`));
    });
  });
}

/** Sets the cores a process (all its threads) may run on. */
function pin(pid: number, cores: string): boolean {
  return spawnSync('taskset', ['-a', '-p', '-c', cores, String(pid)], { stdio: 'ignore' }).status === 0;
}

/** The steps `--only` and `--adapters` keep (all of them without those flags). */
function focus(plan: readonly Step[]): readonly Step[] {
  if (only === undefined) return plan;
  return plan
    .filter((step) => only.includes(step.workload))
    .map((step) =>
      onlyAdapters === undefined || step.adapters.length === 0 ? step : { ...step, adapters: onlyAdapters },
    );
}

async function main(): Promise<void> {
  const started = Date.now();
  const plan = focus(quick ? quickPlan : fullPlan);
  const machine = collectMachine(root);
  const canPin = machine.taskset && machine.cores >= 2;
  log(
    `${quick ? 'quick' : 'full'} run; node ${process.version}; ${machine.cores} cores; taskset ${canPin ? 'yes' : 'no'}`,
  );
  const bundle = await bundleLibrary(root);
  log(`bundled lib/ into ${bundle}`);
  const { server, port } = await startServer();
  const url = `ws://127.0.0.1:${port}`;
  log(`server pid ${server.pid} on ${url}`);
  const results: RunResults = { quick, machine, steps: {}, pinned: false, startedAt: new Date(started).toISOString() };
  const profileDirs = new Map<Step['workload'], string>();
  try {
    for (const step of plan) {
      const stepStart = Date.now();
      log(`${step.workload} …`);
      let prefix: string[] = [];
      let flags: string[] = [];
      if (step.pinned && canPin) {
        results.pinned = pin(server.pid!, '1');
        if (results.pinned) prefix = ['taskset', '-c', '0'];
      }
      if (step.cpuProfile) {
        const dir = mkdtempSync(join(tmpdir(), 'rx-jsonrpc-bench-profile-'));
        profileDirs.set(step.workload, dir);
        flags = ['--cpu-prof', '--cpu-prof-interval', '250', '--cpu-prof-dir', dir];
      }
      try {
        results.steps[step.workload] = { step, result: await runWorker(step, url, bundle, prefix, flags) };
      } finally {
        if (step.pinned && results.pinned) pin(server.pid!, `0-${machine.cores - 1}`);
      }
      log(`${step.workload} done in ${((Date.now() - stepStart) / 1000).toFixed(1)} s`);
      const skipped = (results.steps[step.workload]!.result as { skipped?: unknown }).skipped;
      if (typeof skipped === 'string') log(`${step.workload} SKIPPED: ${skipped}`);
      if (step.workload === 'smoke') {
        const failed = (results.steps.smoke!.result as SmokeResult[]).filter((each) => !each.ok);
        for (const each of failed) log(`adapter ${each.name} FAILED: ${each.failure}`);
        if (failed.length > 0) throw new Error(`${failed.length} adapter(s) failed the smoke test`);
      }
    }
    if (only !== undefined) {
      console.log(JSON.stringify(results.steps, null, 1));
      // W11's section as the report writes it, for docs/benchmarks.md without a full run.
      const soak = soakSections(results);
      if (soak.length > 0) console.log(await format(soak.join('\n\n'), { parser: 'markdown' }));
      for (const [workload, dir] of profileDirs) {
        const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
        const { windows } = results.steps[workload]!.result as ProfiledRun;
        const summary = summariseProfile(join(dir, file!), root, windows, bundle);
        console.error(
          `${workload} profile:`,
          JSON.stringify(summary.categories),
          JSON.stringify(summary.overall.slice(0, 15)),
        );
      }
      return;
    }
    const summarise = (workload: 'profile' | 'profile-w3') => {
      const dir = profileDirs.get(workload)!;
      const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
      if (file === undefined) throw new Error(`The ${workload} run wrote no .cpuprofile`);
      const { windows } = results.steps[workload]!.result as ProfiledRun;
      return summariseProfile(join(dir, file), root, windows, bundle);
    };
    results.profile = summarise('profile');
    results.profileW3 = summarise('profile-w3');
    results.browserEntry = await browserEntrySize(root);
  } finally {
    await stopAll();
    for (const dir of profileDirs.values()) rmSync(dir, { recursive: true, force: true });
    for (const file of [bundle, `${bundle}.map`]) rmSync(file, { force: true });
  }
  results.durationSeconds = (Date.now() - started) / 1000;
  results.loadAtEnd = loadavg()[0];
  mkdirSync(outDir, { recursive: true });
  const json = await format(JSON.stringify(results), { parser: 'json', printWidth: 120 });
  writeFileSync(quick ? join(outDir, 'results.json') : join(__dirname, 'results', 'full.json'), json);
  const written = await writeReport(results, outDir, root);
  log(`wrote ${written.join(', ')}`);
  log(`finished in ${results.durationSeconds.toFixed(0)} s`);
}

/** Writes the report again from the saved results of the last full run, without running anything. */
async function reportOnly(): Promise<void> {
  const results = JSON.parse(readFileSync(join(__dirname, 'results', 'full.json'), 'utf8')) as RunResults;
  const written = await writeReport(results, outDir, root);
  log(`wrote ${written.join(', ')} from bench/results/full.json`);
}

(process.argv.includes('--report-only') ? reportOnly() : main()).catch(async (error: unknown) => {
  console.error(error);
  await stopAll();
  process.exitCode = 1;
});
