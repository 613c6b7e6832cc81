import { createClient } from 'redis';
import { redisBackplane, serve } from 'rx-jsonrpc/node';
import { hostileChild } from '../harness/child';

// A serve() process of a service spread over several processes, broadcasting through Redis.
// argv[2]: the Redis URL; argv[3]: the process's name (sent in its broadcasts). Clients
// call `enter` ({ room }) to join a group. Commands (from the test, over IPC): `burst`
// ({ count, group? }) broadcasts `tick` ({ from, seq }) count times; `errors` gives the
// messages of errors$ so far; `backplaneReady` says whether both Redis clients are connected.
async function main(): Promise<void> {
  const [url = '', name = ''] = process.argv.slice(2);
  // Tries again every 100 ms while Redis is down (node-redis backs off up to 500 ms by default).
  const publisher = createClient({ url, disableOfflineQueue: true, socket: { reconnectStrategy: () => 100 } });
  const subscriber = publisher.duplicate();
  await Promise.all([publisher.connect(), subscriber.connect()]);
  const server = await serve(
    { port: 0, backplane: redisBackplane({ publisher, subscriber, channel: 'spec' }) },
    (peer) => {
      peer.handle('enter', ({ room }: { room: string }) => server.join(peer, room));
    },
  );
  const errors: string[] = [];
  server.errors$.subscribe((error) => errors.push(error.message));
  let seq = 0;
  hostileChild(server.url, {
    burst: (argument) => {
      const { count, group } = argument as { count: number; group?: string };
      for (let i = 0; i < count; i++) {
        const params = { from: name, seq: seq++ };
        if (group === undefined) server.notifyAll('tick', params);
        else server.notifyGroup(group, 'tick', params);
      }
      return seq;
    },
    errors: () => errors.splice(0),
    backplaneReady: () => publisher.isReady && subscriber.isReady,
  });
}

void main();
