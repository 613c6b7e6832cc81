import { closeSync, openSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Console } from 'node:console';
import { Writable } from 'node:stream';
import type { Logger } from 'rx-jsonrpc';
import { serve, type ServeOptions } from 'rx-jsonrpc/node';
import { hostileChild } from '../harness/child';

/** What argv[2] (JSON) asks of this serve() process. */
interface Scenario {
  /** ServeOptions that JSON can carry (port 0 on 127.0.0.1 unless given); `log` is set here. */
  readonly options?: ServeOptions;
  /**
   * Where the log goes: `'file'`, a `Console` writing each entry to a file under os.tmpdir()
   * (with `logCalls`); `'stderr'`, serve()'s default (`console`), whose entries to
   * process.stderr and process.stdout are counted on their way.
   */
  readonly sink: 'file' | 'stderr';
}

/** What the sink saw: entries are the logger's calls, each one write of one or more lines. */
export interface SinkStats {
  readonly file: string | undefined;
  readonly bytes: number;
  readonly entries: number;
  /** The largest single entry, in bytes, since the last `log` asked with `true`. */
  readonly maxEntry: number;
  readonly levels: Record<string, number>;
  /** Per-call lines by `outcome` (from their fields). */
  readonly outcomes: Record<string, number>;
  /** The most `error` entries within any 60 s. */
  readonly errorsPerMinute: number;
}

// A serve() process whose log is a real sink, attacked by the hostile logging suite.
// Handlers: ping, echo, sleep (ms), throw (length: an Error with a message that long),
// throw-wrapped (length: that message two causes down).
// Commands: log (what the sink saw since the start; `true` starts a new window for maxEntry).
async function main(): Promise<void> {
  const scenario = JSON.parse(process.argv[2] ?? '{"sink":"file"}') as Scenario;
  let bytes = 0;
  let entries = 0;
  let maxEntry = 0;
  const levels: Record<string, number> = {};
  const outcomes: Record<string, number> = {};
  const errorTimes: number[] = [];
  const count = (size: number) => {
    bytes += size;
    maxEntry = Math.max(maxEntry, size);
  };
  let file: string | undefined;
  let log: Logger | undefined;
  if (scenario.sink === 'file') {
    file = join(tmpdir(), `rx-jsonrpc-hostile-log-${process.pid}.log`);
    const fd = openSync(file, 'w');
    process.on('exit', () => closeSync(fd));
    // Synchronous, as pino's sync destination: the file holds every entry once it returns.
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        count(chunk.length);
        writeSync(fd, chunk);
        done();
      },
    });
    const sink = new Console({ stdout: stream, stderr: stream });
    const at =
      (level: keyof Logger) =>
      (...values: unknown[]) => {
        entries++;
        levels[level] = (levels[level] ?? 0) + 1;
        if (level === 'error') errorTimes.push(performance.now());
        const outcome = (values[0] as { outcome?: unknown } | undefined)?.outcome;
        if (typeof outcome === 'string') outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
        sink[level](...values);
      };
    log = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  } else {
    // console's own streams: each write is one entry (console writes an entry at once).
    for (const [stream, level] of [
      [process.stderr, 'error'],
      [process.stdout, 'debug'],
    ] as const) {
      const write = stream.write.bind(stream) as (chunk: string | Uint8Array, ...rest: unknown[]) => boolean;
      stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
        entries++;
        levels[level] = (levels[level] ?? 0) + 1;
        if (level === 'error') errorTimes.push(performance.now());
        count(Buffer.byteLength(chunk));
        return write(chunk, ...rest);
      }) as typeof stream.write;
    }
  }
  const options: ServeOptions = { port: 0, ...scenario.options, ...(log === undefined ? {} : { log }) };
  const server = await serve(options, (peer) => {
    peer.handle('ping', () => 'pong');
    peer.handle('echo', (params) => params);
    peer.handle('sleep', ([ms]: [number]) => new Promise((resolve) => setTimeout(() => resolve(ms), ms)));
    peer.handle('throw', ([length]: [number]) => {
      throw new Error('x'.repeat(length));
    });
    // As handlers wrap what failed below them: the words of the client in the cause's cause.
    peer.handle('throw-wrapped', ([length]: [number]) => {
      throw new Error('query failed', { cause: new Error('driver error', { cause: new Error('x'.repeat(length)) }) });
    });
  });
  const errorsPerMinute = () => {
    let most = 0;
    for (let first = 0, last = 0; last < errorTimes.length; last++) {
      while (errorTimes[last]! - errorTimes[first]! >= 60_000) first++;
      most = Math.max(most, last - first + 1);
    }
    return most;
  };
  hostileChild(
    { url: server.url },
    {
      log: (reset): SinkStats => {
        const stats = { file, bytes, entries, maxEntry, levels: { ...levels }, outcomes: { ...outcomes } };
        if (reset === true) maxEntry = 0;
        return { ...stats, errorsPerMinute: errorsPerMinute() };
      },
    },
  );
}

void main();
