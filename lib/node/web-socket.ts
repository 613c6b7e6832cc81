import WebSocket, { type ClientOptions } from 'ws';
import { webSocket as platformWebSocket, type WebSocketConstructor } from '../transports/web-socket';
import type { Transport } from '../transports/transport';

/** Options of the Node `webSocket()`: every `ws` client option (headers, TLS, agent...), plus subprotocols. */
export interface NodeWebSocketOptions extends ClientOptions {
  /** Subprotocols to offer in the handshake. */
  readonly protocols?: string | string[];
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
  const { protocols, ...clientOptions } = options;
  class ConfiguredWebSocket extends WebSocket {
    constructor(address: string, offered?: string | string[]) {
      super(address, offered, clientOptions);
    }
  }
  return platformWebSocket(url, { protocols, WebSocket: ConfiguredWebSocket as unknown as WebSocketConstructor });
}
