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
 * `ConnectionClosedError` naming its exit code or signal.
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
            child.stdout!,
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
        child.once('close', (code, signal) => {
          const how = signal === null ? `with code ${code}` : `on ${signal}`;
          subscriber.error(new ConnectionClosedError(`${name} exited ${how}`, { code: 1006, reason: `exited ${how}` }));
        });
        return () => {
          detachStreams?.();
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        };
      }),
  };
}
