import { createClient, type RedisClientType } from 'redis';
import { redisBackplane, serve, type JsonRpcServer } from 'rx-jsonrpc/node';
import { startRedis, type RedisServer } from '../../scripts/redis-server';

// redisBackplane() with real node-redis clients and a real redis-server, in this process:
// what it leaves on the clients, and a Redis that hangs (`npm run test:redis`).
jest.setTimeout(30_000);

let redis: RedisServer;
let publisher: RedisClientType;
let subscriber: RedisClientType;
let observer: RedisClientType;
const servers: JsonRpcServer[] = [];

beforeAll(async () => {
  redis = await startRedis();
  publisher = createClient({ url: redis.url, disableOfflineQueue: true });
  subscriber = publisher.duplicate();
  observer = publisher.duplicate();
  for (const client of [publisher, subscriber, observer]) client.on('error', () => undefined);
  await Promise.all([publisher.connect(), subscriber.connect(), observer.connect()]);
});

afterAll(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  for (const client of [publisher, subscriber, observer]) client.destroy();
  await redis.stop();
});

const subscribers = async (channel: string) => (await observer.pubSubNumSub(channel))[channel];

it('takes its listeners off the clients and unsubscribes when the server closes, and publishes nothing after', async () => {
  const before = [publisher.listenerCount('error'), subscriber.listenerCount('error')];
  for (let i = 0; i < 3; i++) {
    const server = await serve(
      { port: 0, backplane: redisBackplane({ publisher, subscriber, channel: 'a' }) },
      () => undefined,
    );
    expect(await subscribers('a')).toBe(1);
    await server.close();
    expect(await subscribers('a')).toBe(0);
  }
  expect([publisher.listenerCount('error'), subscriber.listenerCount('error')]).toEqual(before);
});

it('closes the backplane when serve() fails after subscribing (its port is taken)', async () => {
  const taken = await serve({ port: 0 }, () => undefined);
  servers.push(taken);
  const port = Number(new URL(taken.url ?? '').port);
  const backplane = redisBackplane({ publisher, subscriber, channel: 'b' });
  await expect(serve({ port, backplane }, () => undefined)).rejects.toThrow(/EADDRINUSE/);
  expect(await subscribers('b')).toBe(0);
});

it('fails broadcasts at once past maxPublishing while Redis hangs, and publishes again once it answers', async () => {
  const server = await serve(
    { port: 0, backplane: redisBackplane({ publisher, subscriber, channel: 'c', maxPublishing: 50 }) },
    () => undefined,
  );
  servers.push(server);
  const errors: string[] = [];
  server.errors$.subscribe((error) => errors.push(error.message));
  redis.pause();
  try {
    for (let i = 0; i < 200; i++) server.notifyAll('tick', [i]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    // 50 wait for Redis; the other 150 were refused at once.
    expect(errors.filter((message) => message.includes('Redis is not answering: 50 broadcasts wait'))).toHaveLength(
      150,
    );
  } finally {
    redis.resume();
  }
  errors.length = 0;
  const listening = observer.duplicate();
  listening.on('error', () => undefined);
  await listening.connect();
  const heard = new Promise<string>((resolve) => void listening.subscribe('c', resolve));
  await new Promise((resolve) => setTimeout(resolve, 200));
  server.notifyAll('tick', ['after']);
  expect(await heard).toContain('"after"');
  listening.destroy();
});
