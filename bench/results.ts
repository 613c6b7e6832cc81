import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Step } from './plan';
import type { EntrySize } from './bundle';
import type { ProfileSummary } from './profile';

/** Where and with what the benchmark ran. */
export interface Machine {
  readonly cores: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly kernel: string;
  readonly node: string;
  readonly taskset: boolean;
  readonly commit: string;
  readonly versions: Record<string, string>;
  /** The 1-minute load average when the run began: other work on the machine shows here. */
  readonly loadAtStart: number;
}

/** Everything a run produced, as saved in bench/results/full.json. */
export interface RunResults {
  readonly quick: boolean;
  readonly machine: Machine;
  readonly startedAt: string;
  /** Whether W1 ran with the client and the server pinned to separate cores. */
  pinned: boolean;
  steps: Partial<Record<Step['workload'], { step: Step; result: unknown }>>;
  /** rx-jsonrpc under W2, and in W3's answer phase. */
  profile?: ProfileSummary;
  profileW3?: ProfileSummary;
  /** The browser entry's size, minified and gzipped (bytes). */
  browserEntry?: EntrySize;
  /** The 1-minute load average when the run ended. */
  loadAtEnd?: number;
  durationSeconds?: number;
}

const libraries = ['ws', 'rxjs', 'json-rpc-2.0', 'rpc-websockets', 'vscode-jsonrpc', 'tsx', 'typescript'];

function run(command: string, args: string[], cwd: string): string {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

export function collectMachine(root: string): Machine {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const versions: Record<string, string> = {
    'rx-jsonrpc': (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version,
  };
  for (const name of libraries) {
    const manifest = join(root, 'node_modules', name, 'package.json');
    versions[name] = (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
  }
  const dirty = run('git', ['status', '--porcelain', '--', 'lib'], root) === '' ? '' : ' (lib/ modified)';
  return {
    cores: Number(run('nproc', [], root)) || 1,
    cpuModel: /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    node: process.version,
    taskset: spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0,
    commit: `${run('git', ['rev-parse', '--short', 'HEAD'], root) || 'unknown'}${dirty}`,
    versions,
    loadAtStart: loadavg()[0]!,
  };
}
