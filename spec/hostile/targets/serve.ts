import { serve, type ServeOptions } from 'rx-jsonrpc/node';
import { hostileChild } from '../harness/child';

// A serve() process under attack. argv[2] is JSON: the ServeOptions to use (port 0 on
// 127.0.0.1 unless given). Handlers: ping, echo, sleep (ms) for slow calls, big (n: a string
// of n characters), reject (kind: a value that is not an Error), and the notification
// `note` (ms), whose handlers' concurrency and aborted signals are counted.
function revoked(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

const rejections: Record<string, () => unknown> = {
  'null-prototype': () => Object.create(null),
  'throwing-getter': () => ({
    get message(): string {
      throw new Error('getter');
    },
  }),
  'revoked-proxy': revoked,
  'to-string-1': () => ({ toString: 1 }),
};

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as ServeOptions;
  const notes = { running: 0, maxRunning: 0, started: 0, aborted: 0 };
  const server = await serve({ port: 0, ...options }, (peer) => {
    peer.handle('ping', () => 'pong');
    peer.handle('echo', (params) => params);
    peer.handle('sleep', ([ms]: [number]) => new Promise((resolve) => setTimeout(() => resolve(ms), ms)));
    peer.handle('big', ([n]: [number]) => 'x'.repeat(n));
    peer.handle('reject', ([kind]: [string]) => Promise.reject(rejections[kind]!()));
    peer.handle('note', ([ms]: [number], { signal }) => {
      // Running until it ends or is given up (aborted), whichever comes first.
      notes.started++;
      notes.maxRunning = Math.max(notes.maxRunning, ++notes.running);
      let running = true;
      const end = () => {
        if (running) notes.running--;
        running = false;
      };
      signal.addEventListener('abort', () => {
        notes.aborted++;
        end();
      });
      return new Promise<void>((resolve) =>
        setTimeout(() => {
          end();
          resolve();
        }, ms),
      );
    });
  });
  hostileChild({ url: server.url }, { peers: () => server.peers.size, notes: () => notes });
}

void main();
