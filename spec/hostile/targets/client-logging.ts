import { closeSync, openSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Console } from 'node:console';
import { Writable } from 'node:stream';
import { connect, logCalls, logPeer, type Logger, type Peer } from 'rx-jsonrpc';
import { webSocket } from 'rx-jsonrpc/node';
import { hostileChild } from '../harness/child';

/** What the sink saw: entries are the logger's calls, each one write of one or more lines. */
export interface ClientSinkStats {
  readonly file: string;
  readonly bytes: number;
  readonly entries: number;
  /** The largest single entry, in bytes, since the last `log` asked with `true`. */
  readonly maxEntry: number;
  /** Entries by their fields' `rpc` (`call`, `answer`, `link`, `errors`), or `error` for one of `errors$`. */
  readonly kinds: Record<string, number>;
  /** Per-call lines by `outcome`. */
  readonly outcomes: Record<string, number>;
  /**
   * The most entries of `errors$` (and `leftOut` lines) within any 60 s, since the last `log`
   * asked with `true` (each logPeer() has its budget: a window per attacked peer).
   */
  readonly errorsPerMinute: number;
}

// An attacked client whose log is a real sink: a Console writing each entry to a file under
// os.tmpdir(). Each peer it opens logs its calls (logCalls, outermost) and everything else
// (logPeer with answers). Handlers for the server's calls: ping, throw (length: an Error
// with a message that long). Commands: open ({ name, url }), request ({ name, method,
// params }: its outcome), close (name), log (what the sink saw; `true` starts a new window
// for maxEntry and errorsPerMinute).
const file = join(tmpdir(), `rx-jsonrpc-hostile-client-log-${process.pid}.log`);
const fd = openSync(file, 'w');
process.on('exit', () => closeSync(fd));
let bytes = 0;
let entries = 0;
let maxEntry = 0;
const kinds: Record<string, number> = {};
const outcomes: Record<string, number> = {};
const errorTimes: number[] = [];
// Synchronous, as pino's sync destination: the file holds every entry once it returns.
const stream = new Writable({
  write(chunk: Buffer, _encoding, done) {
    bytes += chunk.length;
    maxEntry = Math.max(maxEntry, chunk.length);
    writeSync(fd, chunk);
    done();
  },
});
const sink = new Console({ stdout: stream, stderr: stream });
const at =
  (level: keyof Logger) =>
  (...values: unknown[]) => {
    entries++;
    const { rpc, outcome } = (values.length > 1 ? values[0] : {}) as { rpc?: string; outcome?: string };
    kinds[rpc ?? 'error'] = (kinds[rpc ?? 'error'] ?? 0) + 1;
    if (rpc === undefined || rpc === 'errors') errorTimes.push(performance.now());
    if (outcome !== undefined) outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    sink[level](...values);
  };
const log: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };

const peers = new Map<string, Peer>();
const peerOf = (name: string): Peer => {
  const peer = peers.get(name);
  if (peer === undefined) throw new Error(`no peer ${name}`);
  return peer;
};

const errorsPerMinute = () => {
  let most = 0;
  for (let first = 0, last = 0; last < errorTimes.length; last++) {
    while (errorTimes[last]! - errorTimes[first]! >= 60_000) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
};

hostileChild(
  {},
  {
    open: (argument) => {
      const { name, url } = argument as { name: string; url: string };
      const peer = connect(webSocket(url, { heartbeat: false }), { timeout: 5_000, interceptors: [logCalls(log)] });
      peer.handle('ping', () => 'pong');
      peer.handle('throw', ([length]: [number]) => {
        throw new Error('x'.repeat(length));
      });
      logPeer(peer, log, { answers: true });
      peers.set(name, peer);
      return null;
    },
    request: async (argument) => {
      const { name, method, params } = argument as { name: string; method: string; params?: unknown[] };
      return peerOf(name)
        .request(method, params)
        .then(
          (value) => ({ ok: true, value }),
          (error: Error) => ({ ok: false, name: error.name }),
        );
    },
    close: async (name) => {
      await peers.get(name as string)?.close();
      peers.delete(name as string);
      return null;
    },
    log: (reset): ClientSinkStats => {
      const stats = { file, bytes, entries, maxEntry, kinds: { ...kinds }, outcomes: { ...outcomes } };
      const result = { ...stats, errorsPerMinute: errorsPerMinute() };
      if (reset === true) {
        maxEntry = 0;
        errorTimes.length = 0;
      }
      return result;
    },
  },
);
