import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { RpcError } from 'rx-jsonrpc';
import { serve, type ServeOptions } from 'rx-jsonrpc/node';
import { hostileChild } from '../harness/child';

// A serve({ sessions }) process attacked over HTTP. argv[2] is JSON: the ServeOptions to use
// (port 0 on 127.0.0.1 unless given), and `ballast`: the bytes each session's peer holds (in a
// typed array a handler keeps), so that a session kept after it ended shows in arrayBuffers.
// Handlers: ping; slow (ms). Commands: running (how many slow calls run now), memory (process.memoryUsage() after a full garbage
// collection), sessions (how many are open), broadcast ({ count, size }: notifyAll of count
// notifications of size characters, a turn of the loop between each), errors (what errors$
// reported since the last ask).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function main(): Promise<void> {
  const { ballast = 0, ...options } = JSON.parse(process.argv[2] ?? '{}') as ServeOptions & { ballast?: number };
  let errors: RpcError[] = [];
  let running = 0;
  const server = await serve({ port: 0, ...options }, (peer) => {
    const held = new Uint8Array(ballast);
    peer.handle('ping', () => 'pong');
    peer.handle('held', () => held.length);
    peer.handle('slow', ([ms]: [number]) => {
      running++;
      return new Promise((resolve) =>
        setTimeout(() => {
          running--;
          resolve(ms);
        }, ms),
      );
    });
  });
  server.errors$.subscribe((error) => errors.push(error));
  hostileChild(
    { url: server.url?.replace('ws:', 'http:') },
    {
      memory: () => {
        gc();
        return process.memoryUsage();
      },
      sessions: () => server.peers.size,
      running: () => running,
      broadcast: async (argument) => {
        const { count, size } = argument as { count: number; size: number };
        const chunk = 'x'.repeat(size);
        for (let sent = 0; sent < count; sent++) {
          server.notifyAll('chunk', [chunk]);
          await new Promise((resolve) => setImmediate(resolve));
        }
        return count;
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
