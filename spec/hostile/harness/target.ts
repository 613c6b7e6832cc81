import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { ChildStats } from './child';

const root = join(__dirname, '..', '..', '..');
const targets = join(__dirname, '..', 'targets');

/** An attacked process: a script of spec/hostile/targets/ run with tsx, and its IPC channel. */
export interface Target<Info = unknown> {
  /** What the script said when it was ready (a server's URL, say). */
  readonly info: Info;
  readonly pid: number;
  /** Whether the process is still running. */
  readonly alive: boolean;
  /** How it ended, once it has: its exit code or signal, and the last of its stderr. */
  readonly exit: { readonly code: number | null; readonly signal: string | null; readonly stderr: string } | undefined;
  /** Sends a command to the script (see `hostileChild`), resolving with its result. */
  ask<Result = unknown>(command: string, argument?: unknown, timeoutMs?: number): Promise<Result>;
  /** The process's memory and the longest event-loop stall since the last reset (`reset` starts a new window). */
  stats(reset?: boolean): Promise<ChildStats>;
  /** Kills the process (by its pid) if it still runs, and waits for it to exit. */
  stop(): Promise<void>;
}

const running = new Set<Target>();

/**
 * Starts `spec/hostile/targets/<script>.ts` in a child process with `args`, and resolves
 * once it reports ready. `--max-old-space-size` bounds its heap, so a memory attack that
 * gets through ends the process (which the test then sees) instead of the machine.
 */
export async function startTarget<Info = unknown>(
  script: string,
  args: readonly string[] = [],
  options: { readonly maxOldSpaceMb?: number; readonly env?: NodeJS.ProcessEnv } = {},
): Promise<Target<Info>> {
  const child: ChildProcess = fork(join(targets, `${script}.ts`), [...args], {
    cwd: root,
    execArgv: ['--import', 'tsx', `--max-old-space-size=${options.maxOldSpaceMb ?? 512}`],
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  let exit: Target['exit'];
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exit = { code, signal, stderr };
      resolve();
    }),
  );
  let nextId = 0;
  const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  const info = await new Promise<Info>((resolve, reject) => {
    child.on('message', (message: { ready?: Info; id?: number; result?: unknown; error?: string }) => {
      if ('ready' in message) return resolve(message.ready as Info);
      const pending = waiting.get(message.id!);
      waiting.delete(message.id!);
      if (message.error !== undefined) pending?.reject(new Error(message.error));
      else pending?.resolve(message.result);
    });
    void exited.then(() => reject(new Error(`${script} exited before it was ready: ${describe(exit)}`)));
  });
  void exited.then(() => {
    for (const pending of waiting.values()) pending.reject(new Error(`${script} exited: ${describe(exit)}`));
    waiting.clear();
  });
  const target: Target<Info> = {
    info,
    pid: child.pid!,
    get alive() {
      return exit === undefined;
    },
    get exit() {
      return exit;
    },
    ask: <Result>(command: string, argument?: unknown, timeoutMs = 5_000) =>
      new Promise<Result>((resolve, reject) => {
        if (exit !== undefined) return reject(new Error(`${script} is not running: ${describe(exit)}`));
        const id = ++nextId;
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error(`${script} did not answer ${command} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiting.set(id, {
          resolve: (value) => {
            clearTimeout(timer);
            resolve(value as Result);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        });
        child.send({ id, command, argument });
      }),
    stats: (reset = false) => target.ask<ChildStats>('stats', reset),
    stop: async () => {
      running.delete(target);
      if (exit === undefined) process.kill(child.pid!, 'SIGKILL');
      await exited;
    },
  };
  running.add(target);
  return target;
}

/** Stops every target still running (for `afterAll`). */
export async function stopTargets(): Promise<void> {
  await Promise.all([...running].map((target) => target.stop()));
}

/** The bounds a target must stay within after an attack. */
export interface HealthBounds {
  /** The most resident memory the process may have reached, in MiB. @default 400 */
  readonly maxRssMb?: number;
  /** The longest event-loop stall allowed since the last reset, in ms. @default 200 */
  readonly maxLagMs?: number;
}

/**
 * Asserts that `target` survived: it is running, answers over IPC within a second, stayed
 * under the memory bound and never stalled its event loop for longer than allowed. Then
 * `freshCall` (a new client's call, for a server) must succeed within its deadline. Returns
 * the stats, for the test to print or compare.
 */
export async function expectHealthy(
  target: Target,
  freshCall: () => Promise<unknown>,
  bounds: HealthBounds = {},
): Promise<ChildStats> {
  const { maxRssMb = 400, maxLagMs = 200 } = bounds;
  if (!target.alive) throw new Error(`the target died: ${describe(target.exit)}`);
  const stats = await target.stats(true);
  const mb = (bytes: number) => Math.round(bytes / 1_048_576);
  if (stats.maxRss > maxRssMb * 1_048_576) {
    throw new Error(`the target's RSS reached ${mb(stats.maxRss)} MiB (bound ${maxRssMb} MiB)`);
  }
  if (stats.maxLagMs > maxLagMs) {
    throw new Error(`the target's event loop stalled for ${Math.round(stats.maxLagMs)} ms (bound ${maxLagMs} ms)`);
  }
  await withDeadline(freshCall(), 5_000, 'a fresh call to the target');
  if (!target.alive) throw new Error(`the target died: ${describe(target.exit)}`);
  return stats;
}

/** Resolves with `promise`, or rejects once `ms` have passed. */
export async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function describe(exit: Target['exit']): string {
  if (exit === undefined) return 'still running';
  const how = exit.signal === null ? `code ${exit.code}` : `signal ${exit.signal}`;
  return `exited with ${how}${exit.stderr ? `; stderr: ${exit.stderr.trim().slice(-1_500)}` : ''}`;
}
