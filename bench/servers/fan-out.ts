// W8: one of two rx-jsonrpc serve() processes sharing a Redis backplane (REDIS_URL, on the
// row's CHANNEL). The workload asks it how many clients it has, and has one of them broadcast
// the ticks: each carries when it was sent, on the clock every process of the machine shares.
import { createClient } from 'redis';
import { loadLibrary } from '../library';
import { answer, serving } from './child';

const { serve, redisBackplane } = loadLibrary();

async function main(): Promise<void> {
  const publisher = createClient({ url: process.env.REDIS_URL, disableOfflineQueue: true });
  const subscriber = publisher.duplicate();
  await Promise.all([publisher.connect(), subscriber.connect()]);
  const backplane = redisBackplane({ publisher, subscriber, channel: process.env.CHANNEL ?? 'bench' });
  // The clients only listen; heartbeats off, so that no ping lands inside a measurement.
  const server = await serve({ port: 0, host: '127.0.0.1', heartbeat: false, backplane }, () => undefined);
  const errors: string[] = [];
  server.errors$.subscribe((error) => errors.push(error.message));
  answer(({ type, seq }) => {
    if (type === 'clients') return { count: server.peers.size, errors: errors.splice(0) };
    if (type !== 'tick') return undefined;
    const sentAt = performance.timeOrigin + performance.now();
    server.notifyAll('tick', { seq: seq as number, sentAt });
    // How long notifyAll() held this process: its local sends, and handing the tick to Redis.
    return { notifyMs: performance.timeOrigin + performance.now() - sentAt };
  });
  serving(Number(new URL(server.url!).port));
}

void main();
