import { spawn, type ChildProcess } from 'node:child_process';
import { within } from './common';

/** A server process this workload started: its port, a question-and-answer line over IPC, its stop. */
export interface ServerProcess {
  readonly port: number;
  readonly pid: number;
  /** Sends `question` and resolves with the server's answer of the same type. */
  ask<T = Record<string, unknown>>(question: { type: string; [field: string]: unknown }): Promise<T>;
  /** Its CPU time (user + system) so far, in microseconds. */
  cpu(): Promise<number>;
  /** SIGTERM by pid, SIGKILL after 3 s; resolves once it has exited. */
  stop(): Promise<void>;
}

/** Starts `entry` (a file of bench/servers) under tsx, with `nodeFlags` (W9: --expose-gc), and resolves once it listens. */
export async function startServerProcess(
  entry: string,
  env: NodeJS.ProcessEnv = {},
  nodeFlags: readonly string[] = [],
): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', entry], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await within(
    new Promise<number>((resolve, reject) => {
      child.once('message', (message: { type?: string; port?: number }) => {
        if (message.type === 'listening' && typeof message.port === 'number') resolve(message.port);
        else reject(new Error(`Unexpected message from ${entry}: ${JSON.stringify(message)}`));
      });
      child.once('exit', (code) => reject(new Error(`${entry} exited (${code}) before listening`)));
    }),
    30_000,
    `Starting ${entry}`,
  ).catch(async (error: unknown) => {
    await stop(child, exited);
    throw error;
  });
  const ask = <T>(question: { type: string }) => {
    let listen: (message: { type?: string }) => void = () => undefined;
    const answered = new Promise<T>((resolve) => {
      listen = (message) => {
        if (message.type === question.type) resolve(message as T);
      };
      child.on('message', listen);
      child.send(question);
    });
    return within(answered, 10_000, `The answer of ${entry} to ${question.type}`).finally(() =>
      child.off('message', listen),
    );
  };
  return {
    port,
    pid: child.pid!,
    ask,
    cpu: async () => (await ask<{ micros: number }>({ type: 'cpu' })).micros,
    stop: () => stop(child, exited),
  };
}

function stop(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return Promise.resolve();
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(child.pid!, name);
    } catch {
      // It exited in between: nothing to stop.
    }
  };
  const killer = setTimeout(() => signal('SIGKILL'), 3_000);
  signal('SIGTERM');
  return exited.finally(() => clearTimeout(killer));
}
