import { from, switchMap } from 'rxjs';
import type { ClientOptions } from 'ws';
import { webSocket as platformWebSocket, type WebSocketConstructor } from '../transports/web-socket';
import type { Transport } from '../transports/transport';
import { corkEachTick } from './cork';
import { keepAlive, pingDefaults, type PingOptions } from './keep-alive';
import { loadWs } from './load-ws';

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
  let loaded: Transport | undefined;
  const load = async () => {
    const { WebSocket } = await loadWs('webSocket() of rx-jsonrpc/node');
    class ConfiguredWebSocket extends WebSocket {
      constructor(address: string, offered?: string | string[]) {
        super(address, offered, clientOptions);
        corkEachTick(this);
        if (heartbeat !== false) this.once('open', () => keepAlive(this, heartbeat));
      }
    }
    return (loaded ??= platformWebSocket(url, {
      protocols,
      highWaterMark,
      WebSocket: ConfiguredWebSocket as unknown as WebSocketConstructor,
    }));
  };
  // `ws` is loaded on the first connect (an optional peer: see load-ws.ts); later connects are direct.
  return { connect: () => loaded?.connect() ?? from(load()).pipe(switchMap((transport) => transport.connect())) };
}
