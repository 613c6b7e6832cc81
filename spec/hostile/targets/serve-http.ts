import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { HandlerContext, RpcError } from 'rx-jsonrpc';
import { serve, type ServeOptions } from 'rx-jsonrpc/node';
import { hostileChild } from '../harness/child';

// A serve() process attacked over HTTP POST. argv[2] is JSON: the ServeOptions to use (port
// 0 on 127.0.0.1 unless given); argv[3] 'methods' serves them as an object, else with a setup function. Handlers: ping; sleep (ms), which counts the calls running
// and those whose signal aborted; big (n: a string of n characters); flood (n, size: n
// notifications of `size` characters pushed before its answer, a turn of the loop every 16). Commands: errors (what
// errors$ reported since the last ask, by name and message), calls (the sleep counters),
// memory (process.memoryUsage() after a full garbage collection: what is still held).
// A gc() of this process's own, for `memory` (the harness starts it without --expose-gc);
// runInNewContext returns any: with the flag set, a new context's `gc` is that function.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as ServeOptions;
  const calls = { running: 0, aborted: 0, finished: 0 };
  let errors: RpcError[] = [];
  const methods = {
    ping: () => 'pong',
    big: ([n]: [number]) => 'x'.repeat(n),
    flood: async ([n, size]: [number, number], { peer: caller }: HandlerContext) => {
      const chunk = 'x'.repeat(size);
      for (let sent = 1; sent <= n; sent++) {
        caller.notify('chunk', [chunk]);
        if (sent % 16 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      return n;
    },
    sleep: ([ms]: [number], { signal }: HandlerContext) => {
      calls.running++;
      return new Promise((resolve) => {
        const end = () => {
          calls.running--;
          clearTimeout(timer);
          resolve(ms);
        };
        const timer = setTimeout(() => {
          calls.finished++;
          end();
        }, ms);
        signal.addEventListener('abort', () => {
          calls.aborted++;
          end();
        });
      });
    },
  };
  // Served by its methods (one table for the server, a lone POST answered without a peer), or by a setup function.
  const server =
    process.argv[3] === 'methods'
      ? await serve({ port: 0, ...options }, methods)
      : await serve({ port: 0, ...options }, (peer) => {
          peer.handleAll(methods);
        });
  server.errors$.subscribe((error) => errors.push(error));
  hostileChild(
    { url: server.url?.replace('ws:', 'http:') },
    {
      calls: () => calls,
      memory: () => {
        gc();
        return process.memoryUsage();
      },
      errors: () => {
        const reported = errors.map(({ name, message }) => ({ name, message }));
        errors = [];
        return reported;
      },
    },
  );
}

void main();
