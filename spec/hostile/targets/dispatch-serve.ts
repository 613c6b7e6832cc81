import { from, throwError, timer, map, type Observable } from 'rxjs';
import { serve, type ServeOptions } from 'rx-jsonrpc/node';
import { hostileChild } from '../harness/child';

// A serve() process whose dispatcher is fuzzed (spec/hostile/dispatch-fuzz.spec.ts).
// argv[2] is JSON: the ServeOptions to use (port 0 on 127.0.0.1 unless given).
// Handlers cover every way a handler can end: a value, a thrown Error, a rejection with
// anything at all, an Observable (its first value, none, or an error), and notifications.

/** Values that are hard to turn into a message; `reject` picks one by name. */
const rejections: Readonly<Record<string, () => unknown>> = {
  'null-prototype': () => Object.create(null) as unknown,
  'to-string-not-a-function': () => ({ toString: 1 }),
  'revoked-proxy': () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    return proxy;
  },
  'throwing-getter': () =>
    Object.defineProperty({}, 'message', {
      get() {
        throw new Error('a getter that throws');
      },
    }),
  symbol: () => Symbol('rejected'),
  bigint: () => 10n,
  undefined: () => undefined,
};

/** `observe`: an array emits its members (the first answers, none answers null); anything else errors with itself. */
function observe(params: unknown): Observable<unknown> {
  if (Array.isArray(params)) return from(params as unknown[]);
  return throwError(() => params);
}

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as ServeOptions;
  let notices = 0;
  const server = await serve({ port: 0, ...options }, (peer) => {
    peer.handle('ping', () => 'pong');
    peer.handle('echo', (params) => params);
    peer.handle('throw', () => {
      throw new Error('thrown by a handler');
    });
    // `["revoked-proxy"]` rejects with one of the values above; any other params reject as they came.
    peer.handle('reject', (params) => {
      const name = Array.isArray(params) && typeof params[0] === 'string' ? params[0] : undefined;
      const make = name === undefined ? undefined : rejections[name];
      return Promise.reject(make === undefined ? params : make());
    });
    peer.handle('observe', observe);
    // An answer that comes after the next frames were read: up to 50 ms later.
    peer.handle('later', (params) => {
      const ms = Array.isArray(params) && typeof params[0] === 'number' ? params[0] : 0;
      return timer(Math.min(50, Math.max(0, ms))).pipe(map(() => params));
    });
    // Called without an id, as a notification; called with one, it answers null.
    peer.handle('notice', () => {
      notices++;
    });
  });
  hostileChild(
    { url: server.url },
    {
      peers: () => server.peers.size,
      notices: () => notices,
      // CPU time used (all threads, in ms): a stall longer than the CPU time spent is the machine's, not ours.
      cpuMs: () => {
        const { user, system } = process.cpuUsage();
        return (user + system) / 1_000;
      },
    },
  );
}

void main();
