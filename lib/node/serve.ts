import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { Subject, type Observable } from 'rxjs';
import type { ServerOptions, WebSocket, WebSocketServer } from 'ws';
import { HandlerError, type RpcError } from '../protocol/errors';
import type { JsonRpcParams } from '../protocol/messages';
import { connect } from '../peer/connect';
import type { PeerOptions } from '../peer/options';
import type { RpcApi, UntypedApi } from '../peer/api';
import type { Peer } from '../peer/peer';
import { fromWebSocket, type WebSocketLike } from '../transports/web-socket';
import { corkEachTick } from './cork';
import { keepAlive, pingDefaults, type PingOptions } from './keep-alive';
import { loadWs } from './load-ws';
import { upgradeInfo, type ServerConnectionInfo } from './upgrade-info';

/**
 * Decides whether a client may connect, from its upgrade request (headers, cookies,
 * address). Return false to refuse it (HTTP 401 before the upgrade), true to accept it,
 * or an object to accept it with that object as the start of its `session` (the
 * identity the token proved, say). Throwing refuses it with 500 and reports the error.
 */
export type Authenticate = (
  request: IncomingMessage,
) => boolean | Record<string, unknown> | PromiseLike<boolean | Record<string, unknown>>;

/** Options of {@link serve}: where to listen, who may connect, and how each connection's peer behaves. */
export interface ServeOptions {
  /** Listen on this port (0 for any free one), on a server of our own. */
  readonly port?: number;
  /** The host to listen on, with `port`. @default '127.0.0.1' */
  readonly host?: string;
  /** Attach to this existing HTTP(S) server instead of listening. */
  readonly server?: HttpServer | HttpsServer;
  /** Use this `ws` server's connections instead (authentication then runs after the upgrade, closing with 1008). */
  readonly wss?: WebSocketServer;
  /** Accept upgrades on this path only. @default every path */
  readonly path?: string;
  /** Decides who may connect; see {@link Authenticate}. @default everyone */
  readonly authenticate?: Authenticate;
  /**
   * The largest incoming message, in bytes. A larger one closes that connection with
   * 1009 (Message Too Big), as `ws` does: a frame cannot be skipped half-read.
   * @default 1_048_576 (1 MiB)
   */
  readonly maxPayload?: number;
  /**
   * Pings each client and closes it when the pong does not come back in time (see
   * `keepAlive`), so that dead clients do not hold their peers forever; `false` turns it off.
   * @default pingDefaults (every 30 s, 10 s to answer)
   */
  readonly heartbeat?: PingOptions | false;
  /**
   * The most bytes that may wait to be sent to one client; past it, answers and
   * notifications to that client are refused and reported (a slow client cannot make the
   * server's memory grow without bound).
   * @default 16_777_216 (16 MiB)
   */
  readonly highWaterMark?: number;
  /** Other `ws` server options (perMessageDeflate, handleProtocols...). */
  readonly ws?: Omit<ServerOptions, 'server' | 'port' | 'host' | 'noServer' | 'path' | 'maxPayload'>;
  /**
   * Options of each connection's peer. `handlerTimeout` defaults to 60 s here, so a
   * handler that never answers cannot hold a call forever; `reconnect` is always off (the
   * client reconnects).
   */
  readonly peer?: PeerOptions;
}

/** A running server: one peer per connected client. */
export interface JsonRpcServer {
  /** The peers of the clients connected now. */
  readonly peers: ReadonlySet<Peer>;
  /** `ws://host:port` when the server listens itself; undefined when attached. */
  readonly url: string | undefined;
  /** Server-level problems: an `authenticate` that threw. Hot; completes on close. */
  readonly errors$: Observable<RpcError>;
  /** Sends a notification to every connected client. */
  notifyAll(method: string, params?: JsonRpcParams): void;
  /**
   * Shuts down gracefully: refuses new connections (503), lets each peer finish the calls
   * it is answering (for `drain` ms at most), closes every connection with 1001, and stops
   * listening if the server listened itself.
   */
  close(options?: { readonly drain?: number }): Promise<void>;
}

/** What `serve()` hands to `setup` for each new client. */
export type SetupPeer<Api extends RpcApi = UntypedApi> = (
  peer: Peer<Api>,
  connection: ServerConnectionInfo,
  server: JsonRpcServer,
) => void;

/** The defaults of {@link ServeOptions}. */
export const serveDefaults = {
  /** {@link ServeOptions.host} */
  host: '127.0.0.1',
  /** {@link ServeOptions.maxPayload} */
  maxPayload: 1_048_576,
  /** `handlerTimeout` of each connection's peer (see {@link ServeOptions.peer}). */
  handlerTimeout: 60_000,
  /** `drain` of {@link JsonRpcServer.close}. */
  drain: 5_000,
} as const;

/**
 * Serves JSON-RPC over WebSocket: listens (or attaches to a server), and for each client
 * makes a peer and hands it to `setup` to register handlers. Resolves once listening.
 * `Api` types each peer from the server's side (see `Reversed` to derive it from a client's).
 *
 * @example
 * ```ts
 * const server = await serve({ port: 8080 }, (peer) => {
 *   peer.handle('math.sum', positional((a: number, b: number) => a + b));
 * });
 * ```
 */
export async function serve<Api extends RpcApi = UntypedApi>(
  options: ServeOptions,
  setup: SetupPeer<Api>,
): Promise<JsonRpcServer> {
  const peers = new Set<Peer>();
  const errors = new Subject<RpcError>();
  const owned = options.server === undefined && options.wss === undefined ? createServer(upgradeRequired) : undefined;
  const httpServer = options.server ?? owned;
  const wss =
    options.wss ??
    new (await loadWs('serve()')).WebSocketServer({
      ...options.ws,
      noServer: true,
      maxPayload: options.maxPayload ?? serveDefaults.maxPayload,
    });
  let closing = false;

  const accept = (socket: WebSocket, request: IncomingMessage, session: Record<string, unknown>) => {
    corkEachTick(socket);
    const heartbeat = options.heartbeat ?? pingDefaults;
    if (heartbeat !== false) keepAlive(socket, heartbeat);
    const info = upgradeInfo(request);
    const peer = connect<Api>(
      fromWebSocket(socket as unknown as WebSocketLike, info, { highWaterMark: options.highWaterMark }),
      {
        handlerTimeout: serveDefaults.handlerTimeout,
        ...options.peer,
        // An accepted socket cannot be re-opened: the client reconnects, the server does not.
        reconnect: false,
        session: { ...options.peer?.session, ...session },
      },
    );
    peers.add(peer as Peer);
    peer.state$.subscribe({ complete: () => peers.delete(peer as Peer) });
    setup(peer, { transport: 'websocket', protocol: socket.protocol, ...info }, server);
  };

  /** Runs `authenticate`: resolves with the session to start from, or an HTTP status to refuse with. */
  const admit = async (request: IncomingMessage): Promise<Record<string, unknown> | number> => {
    if (closing) return 503;
    if (options.authenticate === undefined) return {};
    try {
      const verdict = await options.authenticate(request);
      if (verdict === false) return 401;
      return verdict === true ? {} : { ...verdict };
    } catch (cause) {
      errors.next(new HandlerError(`authenticate() failed for ${request.url ?? '/'}: ${String(cause)}`, { cause }));
      return 500;
    }
  };

  const onUpgrade = async (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (options.path !== undefined && new URL(request.url ?? '/', 'ws://x').pathname !== options.path) {
      // On a server of its own there is nobody else to take the upgrade.
      if (owned !== undefined) refuse(socket, 404);
      return;
    }
    const verdict = await admit(request);
    if (typeof verdict === 'number') return refuse(socket, verdict);
    wss.handleUpgrade(request, socket, head, (ws) => accept(ws, request, verdict));
  };

  const onConnection = async (ws: WebSocket, request: IncomingMessage) => {
    // Hold the client's first frames while authentication runs: nobody listens yet.
    ws.pause();
    const verdict = await admit(request);
    if (typeof verdict === 'number') ws.close(1008, verdict === 503 ? 'Server shutting down' : 'Unauthorized');
    else accept(ws, request, verdict);
    // Reading again also lets a refused client's close handshake finish.
    ws.resume();
  };

  if (options.wss !== undefined) options.wss.on('connection', onConnection);
  else httpServer!.on('upgrade', onUpgrade);

  if (owned !== undefined) {
    await new Promise<void>((resolve, reject) => {
      owned.once('error', reject);
      owned.listen(options.port ?? 0, options.host ?? serveDefaults.host, () => resolve());
    });
  }

  const address = owned?.address();
  const server: JsonRpcServer = {
    peers,
    url:
      typeof address === 'object' && address !== null ? `ws://${hostOf(address.address)}:${address.port}` : undefined,
    errors$: errors.asObservable(),
    notifyAll: (method, params) => {
      for (const peer of peers) peer.notify(method, params);
    },
    close: async ({ drain = serveDefaults.drain } = {}) => {
      if (closing) return;
      closing = true;
      await Promise.all([...peers].map((peer) => peer.close({ drain, code: 1001, reason: 'Server shutting down' })));
      if (options.wss !== undefined) {
        options.wss.off('connection', onConnection);
      } else {
        httpServer!.off('upgrade', onUpgrade);
        await closeSockets(wss);
      }
      if (owned !== undefined) await new Promise<void>((resolve) => owned.close(() => resolve()));
      errors.complete();
    },
  };
  return server;
}

const statusText: { readonly [status: number]: string } = {
  401: 'Unauthorized',
  404: 'Not Found',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Answers plain HTTP requests to a server of our own: only WebSocket upgrades are served. */
function upgradeRequired(_request: IncomingMessage, response: ServerResponse): void {
  response.writeHead(426, { 'content-type': 'text/plain', connection: 'close', upgrade: 'websocket' });
  response.end('This server speaks JSON-RPC over WebSocket.\n');
}

/** Waits a moment for closing sockets to finish their close handshake, then cuts the rest. */
async function closeSockets(wss: WebSocketServer, grace = 1_000): Promise<void> {
  const open = [...wss.clients].filter((socket) => socket.readyState !== socket.CLOSED);
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    Promise.all(open.map((socket) => new Promise((resolve) => socket.once('close', resolve)))),
    new Promise((resolve) => (timer = setTimeout(resolve, grace))),
  ]);
  clearTimeout(timer);
  for (const socket of open) socket.terminate();
  wss.close();
}

function refuse(socket: Duplex, status: number): void {
  socket.end(`HTTP/1.1 ${status} ${statusText[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function hostOf(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}
