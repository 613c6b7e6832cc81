import { from, switchMap } from 'rxjs';
import type { ClientOptions } from 'ws';
import { webSocket as platformWebSocket, type WebSocketConstructor } from '../transports/web-socket';
import type { Transport } from '../transports/transport';
import { corkEachTick } from './cork';
import { checkPingOptions, keepAlive, pingDefaults, type PingOptions } from './keep-alive';
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
  /**
   * The largest message accepted from the server, in bytes (`ws`'s own default is 100 MiB).
   * A larger one is refused as soon as its frame headers announce more, never buffered whole: the link
   * closes with 1009 (Message Too Big), the peer's calls in flight fail with a retryable
   * `ConnectionClosedError` of code 1009, and the peer reconnects where `reconnect` is set.
   * `0` removes the limit (as in `ws`).
   * @default 67_108_864 (64 MiB, like the other client transports)
   */
  readonly maxPayload?: number;
}

/** The largest incoming message of the Node `webSocket()`; see `NodeWebSocketOptions.maxPayload`. */
const defaultMaxPayload = 67_108_864;

/**
 * A WebSocket transport for Node, backed by the `ws` package, so that headers, auth, TLS
 * and every other `ws` client option pass through. `ws` is loaded at the first connect: if
 * it cannot be, the link fails with a non-retryable `TransportError` that says `ws` "is not
 * installed" when it is missing, and "failed to load: <reason>" when it is there and throws.
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
  const { protocols, heartbeat = pingDefaults, highWaterMark, maxPayload = defaultMaxPayload, ...rest } = options;
  if (heartbeat !== false) checkPingOptions(heartbeat);
  const clientOptions: ClientOptions = { ...rest, maxPayload };
  let loaded: Transport | undefined;
  const load = async () => {
    const { WebSocket } = await loadWs('webSocket() of rx-jsonrpc/node');
    class ConfiguredWebSocket extends WebSocket {
      /** The close code ws sent when it refused what the server sent (1009 for a message over maxPayload). */
      private refused: { readonly code: number; readonly reason: string } | undefined;

      constructor(address: string, offered?: string | string[]) {
        super(address, offered, clientOptions);
        corkEachTick(this);
        if (heartbeat !== false) this.once('open', () => keepAlive(this, heartbeat));
        this.on('error', (error) => {
          const code = sentCloseCode(error);
          if (code === undefined) return;
          this.refused = { code, reason: error.message };
          // ws would wait up to 30 s for the server's close frame, throwing away the rest of
          // the message it refused as it comes: end the link now (the close frame is written).
          setImmediate(() => this.terminate());
        });
      }

      override emit(event: string | symbol, ...args: unknown[]): boolean {
        // Having stopped reading, ws never sees the server's close frame and reports 1006:
        // report the code it closed with instead, which says why.
        if (event === 'close' && this.refused !== undefined && args[0] === 1006) {
          return super.emit(event, this.refused.code, Buffer.from(this.refused.reason));
        }
        return super.emit(event, ...args);
      }
    }
    return (loaded ??= platformWebSocket(url, {
      protocols,
      highWaterMark,
      // ws's class is a browser-compatible WebSocket; its types differ only in Node-only extras
      WebSocket: ConfiguredWebSocket as unknown as WebSocketConstructor,
    }));
  };
  // `ws` is loaded on the first connect (an optional peer: see load-ws.ts); later connects are direct.
  return { connect: () => loaded?.connect() ?? from(load()).pipe(switchMap((transport) => transport.connect())) };
}

/** The close code `ws` sends when its receiver refuses a frame (it tags those errors with it), if any. */
function sentCloseCode(error: Error): number | undefined {
  const key = Object.getOwnPropertySymbols(error).find((symbol) => symbol.description === 'status-code');
  // ws keeps the close code under a symbol property of the error
  const code = key === undefined ? undefined : (error as unknown as Record<symbol, unknown>)[key];
  return typeof code === 'number' ? code : undefined;
}
