import { spawn, type SpawnOptions } from 'node:child_process';
import { Observable } from 'rxjs';
import { ConnectionClosedError, TransportError } from '../protocol/errors';
import type { Connection, Transport } from '../transports/transport';
import { framingOf } from './framing';
import { adoptStreams, type FramingOption } from './stream';

/** Options of {@link spawnProcess}. */
export interface SpawnProcessOptions extends Omit<SpawnOptions, 'stdio'> {
  /**
   * How frames are delimited on stdio: `'content-length'` for language servers,
   * `'newline'` for Model Context Protocol servers.
   * @default 'content-length'
   */
  readonly framing?: FramingOption;
  /**
   * The most bytes that may wait to be written: past it, calls fail at once with a
   * retryable `TransportError` ("Send buffer full: ..."); see `StreamOptions.highWaterMark`.
   * @default 16_777_216 (16 MiB)
   */
  readonly highWaterMark?: number;
  /**
   * What to do with the child's stderr: show it in this process's, pipe it (read it from
   * `onStderr`), or drop it.
   * @default 'inherit'
   */
  readonly stderr?: 'inherit' | 'ignore' | ((chunk: Buffer) => void);
}

/**
 * A transport that starts a process and talks JSON-RPC over its stdin and stdout. Each
 * connection starts a new process (so `reconnect` restarts it); unsubscribing (closing
 * the peer) terminates it with SIGTERM. The process exiting closes the link with a
 * `ConnectionClosedError`: code 1000 for exit status 0, code 1006 for another status or a
 * signal, with `reason` "exited with code 3" or "killed by SIGKILL".
 *
 * @example
 * ```ts
 * const server = connect(spawnProcess('typescript-language-server', ['--stdio']));
 * ```
 */
export function spawnProcess(
  command: string,
  args: readonly string[] = [],
  options: SpawnProcessOptions = {},
): Transport {
  const { framing, stderr = 'inherit', highWaterMark, ...spawnOptions } = options;
  return {
    connect: () =>
      new Observable<Connection>((subscriber) => {
        const child = spawn(command, args, {
          ...spawnOptions,
          stdio: ['pipe', 'pipe', typeof stderr === 'function' ? 'pipe' : stderr],
        });
        const name = `${command}${child.pid === undefined ? '' : ` (pid ${child.pid})`}`;
        if (typeof stderr === 'function') child.stderr?.on('data', stderr);
        let detachStreams: (() => void) | undefined;
        child.once('spawn', () => {
          // The exit, not the end of stdout, closes the link: it says how the process ended.
          detachStreams = adoptStreams(
            // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- stdio 'pipe' gives the child a stdout and a stdin
            child.stdout!,
            // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- stdio 'pipe' gives the child a stdout and a stdin
            child.stdin!,
            framingOf(framing),
            subscriber,
            { transport: 'process', url: name },
            { endCloses: false, highWaterMark },
          );
        });
        child.once('error', (cause) =>
          subscriber.error(
            new TransportError(`Could not run ${command}: ${cause.message}`, { cause, retryable: false }),
          ),
        );
        // 'close' comes after stdout has been read to its end, so no last frame is lost.
        child.once('close', (code, signal) => subscriber.error(exitError(name, code, signal)));
        return () => {
          detachStreams?.();
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        };
      }),
  };
}

/** A clean exit (status 0) is a normal close, 1000; another status or a signal is an abnormal one, 1006. */
function exitError(name: string, code: number | null, signal: NodeJS.Signals | null): ConnectionClosedError {
  const how = signal === null ? `exited with code ${code}` : `killed by ${signal}`;
  return new ConnectionClosedError(`${name} ${how}`, { code: code === 0 ? 1000 : 1006, reason: how, inferred: true });
}
