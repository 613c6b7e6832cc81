import type { Backplane, BackplaneListener } from './backplane';

/**
 * A node-redis client (the `redis` package, v4 or later) as {@link redisBackplane} uses it
 * to publish. Only these members are used, so any client with them fits.
 */
export interface RedisPublisher {
  /** Whether the client is connected now (node-redis: `isReady`). */
  readonly isReady: boolean;
  /** Sends `message` to the subscribers of `channel` (Redis `PUBLISH`). */
  publish(channel: string, message: string): Promise<unknown>;
  /** Listens to the client's failures (while the backplane listens). */
  on(event: 'error', listener: (error: Error) => void): unknown;
  /** Stops listening to them (when the backplane closes). */
  off(event: 'error', listener: (error: Error) => void): unknown;
}

/** A node-redis client in subscriber mode (a `duplicate()` of the publisher), as {@link redisBackplane} uses it. */
export interface RedisSubscriber {
  /** Calls `listener` with each message published on `channel` (Redis `SUBSCRIBE`), again after a reconnect. */
  subscribe(channel: string, listener: (message: string, channel: string) => void): Promise<unknown>;
  /** Stops calling `listener` (Redis `UNSUBSCRIBE` once nobody else listens to `channel`). */
  unsubscribe(channel: string, listener: (message: string, channel: string) => void): Promise<unknown>;
  /** Listens to the client's failures (while the backplane listens). */
  on(event: 'error', listener: (error: Error) => void): unknown;
  /** Stops listening to them (when the backplane closes). */
  off(event: 'error', listener: (error: Error) => void): unknown;
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
  /**
   * The most broadcasts that may wait for Redis to confirm them; past it a broadcast fails
   * at once (reported on the server's `errors$`), so that a Redis that hangs without closing
   * the connection (a paused process, a network split) cannot make the heap grow.
   * @default 1_000
   */
  readonly maxPublishing?: number;
}

/**
 * Broadcasts between server processes through Redis pub/sub, with clients of node-redis
 * (the `redis` package: the client Redis maintains and recommends for new projects). Give it
 * two connected clients, each with an `error` listener of yours; they stay yours, to close
 * after the server. While the publisher is not connected a broadcast fails at once (reported
 * on the server's `errors$`); `disableOfflineQueue: true` also fails those written when the
 * connection drops, instead of sending them late. node-redis reconnects by itself and
 * subscribes again; what was published meanwhile is lost.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * import { redisBackplane, serve } from 'rx-jsonrpc/node';
 *
 * const publisher = createClient({ url: 'redis://127.0.0.1:6379', disableOfflineQueue: true });
 * const subscriber = publisher.duplicate();
 * // Without a listener, an 'error' event (Redis unreachable) ends the process.
 * for (const client of [publisher, subscriber]) client.on('error', (error) => console.warn('redis:', error.message));
 * await Promise.all([publisher.connect(), subscriber.connect()]);
 * const server = await serve({ port: 8080, backplane: redisBackplane({ publisher, subscriber }) }, (peer) => {
 *   peer.handle('ping', () => 'pong');
 * });
 * server.notifyAll('news', { text: 'reaches the clients of every process' });
 * ```
 */
export function redisBackplane(options: RedisBackplaneOptions): Backplane {
  const { publisher, subscriber, channel = 'rx-jsonrpc', maxPublishing = 1_000 } = options;
  let listener: BackplaneListener | undefined;
  let closed = false;
  let publishing = 0;
  const onError = (error: Error) => listener?.error(error);
  const onMessage = (message: string) => {
    if (!closed) return listener?.message(message);
    // Closed while Redis was down, then subscribed again by the client's reconnect: leave now.
    void subscriber.unsubscribe(channel, onMessage).catch(ignore);
  };
  const detach = () => {
    publisher.off('error', onError);
    subscriber.off('error', onError);
  };
  return {
    async listen(given) {
      if (listener !== undefined || closed) throw new TypeError('redisBackplane(): a backplane serves one server');
      listener = given;
      // Without a listener an 'error' event of a client ends the process.
      publisher.on('error', onError);
      subscriber.on('error', onError);
      try {
        await subscriber.subscribe(channel, onMessage);
      } catch (error) {
        // Not listening after all: the backplane can be given to a server again.
        listener = undefined;
        detach();
        throw error;
      }
    },
    async publish(text) {
      if (closed) throw new Error('the backplane is closed');
      if (!publisher.isReady) throw new Error('Redis is not connected');
      // A Redis that hangs without closing the connection must not make the heap grow.
      if (publishing >= maxPublishing) throw new Error(`Redis is not answering: ${String(publishing)} broadcasts wait`);
      publishing++;
      try {
        await publisher.publish(channel, text);
      } finally {
        publishing--;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      detach();
      if (listener === undefined) return;
      listener = undefined;
      // An unsubscribe that cannot reach Redis does not keep the server from closing (see onMessage).
      await subscriber.unsubscribe(channel, onMessage).catch(ignore);
    },
  };
}

function ignore(): void {
  // Nothing to do: the failure changes nothing for the caller.
}
