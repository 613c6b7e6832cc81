import type { Backplane } from './backplane';

/**
 * A node-redis client (the `redis` package, v4 or later) as {@link redisBackplane} uses it
 * to publish. Only these members are used, so any client with them fits.
 */
export interface RedisPublisher {
  /** Whether the client is connected now (node-redis: `isReady`). */
  readonly isReady: boolean;
  publish(channel: string, message: string): Promise<unknown>;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** A node-redis client in subscriber mode (a `duplicate()` of the publisher), as {@link redisBackplane} uses it. */
export interface RedisSubscriber {
  subscribe(channel: string, listener: (message: string, channel: string) => void): Promise<unknown>;
  unsubscribe(channel: string, listener: (message: string, channel: string) => void): Promise<unknown>;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** Options of {@link redisBackplane}. */
export interface RedisBackplaneOptions {
  /** A connected client to publish with. */
  readonly publisher: RedisPublisher;
  /** Another connected client, for subscribing only (Redis gives a subscribed connection to pub/sub alone). */
  readonly subscriber: RedisSubscriber;
  /**
   * The Redis channel every process of one service shares; services that must not hear each
   * other use different channels.
   * @default 'rx-jsonrpc'
   */
  readonly channel?: string;
}

/**
 * Broadcasts between server processes through Redis pub/sub, with clients of node-redis
 * (the `redis` package: the client Redis maintains and recommends for new projects). Give it
 * two connected clients; they stay yours to close, after the server. Create the publisher
 * with `disableOfflineQueue: true`: while Redis is down a broadcast then fails at once
 * (reported on the server's `errors$`) instead of waiting in the client's queue. node-redis
 * reconnects by itself and subscribes again; what was published meanwhile is lost.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * import { redisBackplane, serve } from 'rx-jsonrpc/node';
 *
 * const publisher = createClient({ url: 'redis://127.0.0.1:6379', disableOfflineQueue: true });
 * const subscriber = publisher.duplicate();
 * await Promise.all([publisher.connect(), subscriber.connect()]);
 * const server = await serve({ port: 8080, backplane: redisBackplane({ publisher, subscriber }) }, (peer) => {
 *   peer.handle('ping', () => 'pong');
 * });
 * server.notifyAll('news', { text: 'reaches the clients of every process' });
 * ```
 */
export function redisBackplane(options: RedisBackplaneOptions): Backplane {
  const { publisher, subscriber, channel = 'rx-jsonrpc' } = options;
  let onMessage: ((message: string) => void) | undefined;
  let closed = false;
  return {
    async listen(listener) {
      if (onMessage !== undefined || closed) throw new TypeError('redisBackplane(): a backplane serves one server');
      onMessage = (message) => listener.message(message);
      // Without a listener an 'error' event of a client ends the process: this one stays, muted after close().
      const onError = (error: Error) => closed || listener.error(error);
      publisher.on('error', onError);
      subscriber.on('error', onError);
      await subscriber.subscribe(channel, onMessage);
    },
    publish(text) {
      if (!publisher.isReady) return Promise.reject(new Error('Redis is not connected'));
      return publisher.publish(channel, text).then(() => undefined);
    },
    async close() {
      const listening = onMessage;
      if (closed || listening === undefined) return;
      closed = true;
      // An unsubscribe that cannot reach Redis does not keep the server from closing.
      await subscriber.unsubscribe(channel, listening).catch(() => undefined);
    },
  };
}
