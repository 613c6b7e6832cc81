import WebSocket, { type ClientOptions } from 'ws';
import { webSocket as platformWebSocket, type WebSocketConstructor } from '../transports/web-socket';
import type { Transport } from '../transports/transport';
import { corkEachTick } from './cork';
import { keepAlive, pingDefaults, type PingOptions } from './keep-alive';

/** Options of the Node `webSocket()`: every `ws` client option (headers, TLS, agent...), plus subprotocols and ping. */
export interface NodeWebSocketOptions extends ClientOptions {
  /** Subprotocols to offer in the handshake. */
  readonly protocols?: string | string[];
  /**
   * Pings the server and treats a missing pong as a dropped link (see `keepAlive`);
   * `false` turns it off.
   * @default pingDefaults (every 30 s, 10 s to answer)
   */
  readonly heartbeat?: PingOptions | false;
  /** The send buffer limit; see the core `webSocket()`'s `highWaterMark`. @default 16 MiB */
  readonly highWaterMark?: number;
}

/**
 * A WebSocket transport for Node, backed by the `ws` package, so that headers, auth, TLS
 * and every other `ws` client option pass through.
 *
 * @example
 * ```ts
 * import { connect } from 'rx-jsonrpc';
 * import { webSocket } from 'rx-jsonrpc/node';
 *
 * const rpc = connect(webSocket('wss://node.example.org', { headers: { authorization: `Bearer ${token}` } }));
 * ```
 */
export function webSocket(url: string, options: NodeWebSocketOptions = {}): Transport {
  const { protocols, heartbeat = pingDefaults, highWaterMark, ...clientOptions } = options;
  class ConfiguredWebSocket extends WebSocket {
    constructor(address: string, offered?: string | string[]) {
      super(address, offered, clientOptions);
      corkEachTick(this);
      if (heartbeat !== false) this.once('open', () => keepAlive(this, heartbeat));
    }
  }
  return platformWebSocket(url, {
    protocols,
    highWaterMark,
    WebSocket: ConfiguredWebSocket as unknown as WebSocketConstructor,
  });
}
