import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Observable } from 'rxjs';
import type { ServerOptions, WebSocketServer } from 'ws';
import type { RpcError } from '../protocol/errors';
import type { JsonRpcParams } from '../protocol/messages';
import type { Logger, PeerOptions } from '../peer/options';
import type { RpcApi, UntypedApi } from '../peer/api';
import type { Peer } from '../peer/peer';
import type { Backplane } from './backplane';
import type { HttpSessionOptions } from './http-session-options';
import type { PingOptions } from './keep-alive';
import type { OriginPolicy } from './origin-policy';
import type { ServerConnectionInfo } from './upgrade-info';

/**
 * Decides whether a client may connect, from its upgrade request or its HTTP POST (headers,
 * cookies, address; a POST's body is not read yet). Return true to accept it, or an object
 * to accept it with that object as the start of its `session` (the identity the token
 * proved, say); anything else (false, undefined) refuses it with HTTP 401 (before the
 * upgrade; for a POST, before its body is read). Throwing or rejecting refuses it with 500
 * and reports the error.
 */
export type Authenticate = (
  request: IncomingMessage,
) => boolean | Record<string, unknown> | PromiseLike<boolean | Record<string, unknown>>;

/** Options of `serve()`: where to listen, who may connect, and how each connection's peer behaves. */
export interface ServeOptions {
  /** Listen on this port (0 for any free one), on a server of our own. */
  readonly port?: number;
  /** The host to listen on, with `port`. @default '127.0.0.1' */
  readonly host?: string;
  /** Attach to this existing HTTP(S) server instead of listening. */
  readonly server?: HttpServer | HttpsServer;
  /** Use this `ws` server's connections instead (origin and authentication are then checked after the upgrade, closing with 1008). */
  readonly wss?: WebSocketServer;
  /** Accept upgrades on this path only. @default every path */
  readonly path?: string;
  /**
   * Which web pages may connect (see {@link OriginPolicy}): against cross-site WebSocket
   * hijacking, a page of another origin is refused with HTTP 403 before the upgrade (with
   * `wss`: closed with 1008 'Origin not allowed'), and its POSTs and CORS preflights with
   * 403. A page allowed gets the CORS headers that let it read the answers of its POSTs
   * (with its cookies, unless the policy is `'*'`). Clients that send no `Origin` (Node,
   * other programs) are always accepted. Pages served from another port count as another
   * origin: list them, e.g. `origins: ['http://localhost:4200']`.
   * @default 'same-origin'
   */
  readonly origins?: OriginPolicy;
  /** Decides who may connect; see {@link Authenticate}. @default everyone */
  readonly authenticate?: Authenticate;
  /**
   * The largest incoming message, in bytes. A larger one closes that connection with
   * 1009 (Message Too Big), as `ws` does: a frame cannot be skipped half-read. A larger
   * POST body is answered 413, as soon as its `Content-Length` or the bytes read so far
   * pass the limit (no more is kept), and its connection is closed. 0 means no limit, over
   * WebSocket (as in `ws`) and HTTP alike: then one message or body may take all the memory
   * the process has.
   * @default 1_048_576 (1 MiB)
   */
  readonly maxPayload?: number;
  /**
   * How long, in ms, an HTTP answer may take to be written out (its last bytes handed to the
   * kernel) before its connection is cut: a client that never reads its answer cannot keep
   * it in the server's memory. Counted from when the answer is ready; 0 means no limit.
   * WebSocket clients are bounded by `highWaterMark` instead.
   * @default 30_000
   */
  readonly writeTimeout?: number;
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
   * Options of each connection's peer, and of each POST's. `handlerTimeout` defaults to 60 s
   * here, so a handler that never answers cannot hold a call forever; `reconnect` is always
   * off (the client reconnects), and a POST's peer has no `heartbeat` nor `batching`.
   * `maxBatchSize`, `maxAnswering`, `maxAnswerSize` bound a POST as they bound a message.
   * `session` is a template: each connection (each POST) gets a deep copy of it
   * (`structuredClone`), so what one client stores, even in a nested object, no other client
   * sees; serve() throws a TypeError at start for a template that cannot be copied
   * (functions, sockets): build such state per connection in `authenticate` or `setup`.
   */
  readonly peer?: PeerOptions;
  /**
   * Carries `notifyAll` and `notifyGroup` to the servers of other processes (and theirs to
   * this one), each delivering to its own clients: `redisBackplane(...)`, or any
   * {@link Backplane}. serve() starts listening before it resolves (and rejects when it
   * cannot), and stops on close. At most once: what is broadcast while the backplane is
   * down reaches this process's clients only, and the failure is reported on `errors$`.
   */
  readonly backplane?: Backplane;
  /**
   * Where the errors that nobody hears go: an error reported while nothing subscribes to
   * `errors$` (a handler that threw, a setup that failed, a bad POST) is passed to
   * `log.error`, at most 10 a minute (the next after a full minute says how many were left
   * out). `console`, any logger with `debug`, `info`, `warn` and `error` (pino, winston), or
   * `false` for nowhere. Subscribing to `errors$` replaces it. With `logCalls`, it is also
   * where the per-call lines go.
   * @default console
   */
  readonly log?: Logger | false;
  /**
   * Also writes one line per call to `log`: each call a client makes and its peer answers,
   * over WebSocket and HTTP POST (`debug` for a result; `warn` for an error answer; `debug`
   * for a call its caller cancelled or whose link closed under it), and each call the server
   * makes to a client (`debug` for a result, `warn` for an error, a timeout or a failure).
   * Each line is pino's shape, fields then message:
   * `{ rpc: 'answer', method: 'math.sum', id: 1, ms: 2, outcome: 'result' }, 'rx-jsonrpc: answer math.sum (1): result in 2 ms'`
   * (see `CallLogFields`). Off by default, so that a server's log does not grow by a line
   * per call unless asked; off (or with `log: false`), it costs nothing per connection. Set
   * the logger's level to `debug` to see the calls that succeed, not only those that fail.
   * @default false
   * @example
   * ```ts
   * const server = await serve({ port: 8080, log: console, logCalls: true }, setup);
   * ```
   */
  readonly logCalls?: boolean;
  /**
   * Sessions over HTTP, as MCP's Streamable HTTP transport has them (see
   * {@link HttpSessionOptions}): the answer to a POST without a session id opens one and
   * names it in the `header`; later POSTs, a GET that holds the session's standing event
   * stream open, and the DELETE that ends it send it back (400 without it, 404 once it has
   * ended). A session has one peer, made by `setup` once and among `peers` while it lasts,
   * so a handler may notify or call its client: within a call, on that POST's event stream
   * (the client's answer comes in a later POST, answered 202); otherwise on the standing
   * stream. Without it, each POST has a peer of its own. WebSocket clients are not affected.
   * @default undefined (no sessions)
   * @example
   * ```ts
   * const server = await serve({ port: 8080, sessions: { opener: 'initialize', idleTimeout: 60_000 } }, setup);
   * ```
   */
  readonly sessions?: HttpSessionOptions;
}

/** A running server: one peer per connected client, and one per HTTP POST being answered. */
export interface JsonRpcServer {
  /**
   * The peers of the clients connected now, and of the HTTP sessions open now (with the
   * `sessions` option); a peer leaves the set as soon as it closes. The short-lived peers of
   * HTTP POSTs without sessions are not in it: nobody can be notified through them.
   */
  readonly peers: ReadonlySet<Peer>;
  /** `ws://host:port` when the server listens itself; undefined when attached. */
  readonly url: string | undefined;
  /**
   * Server-level problems: a handler that failed (a `HandlerError`, also on its peer's
   * `errors$`), an `authenticate` or `origins` check that threw, a `setup` that threw, a
   * malformed upgrade request, a failed upgrade, a POST that could not be answered, a handler
   * that tried to notify or call its client over HTTP. Hot; completes on close. While nothing
   * subscribes, they go to the `log` option (console by default).
   */
  readonly errors$: Observable<RpcError>;
  /**
   * Answers HTTP requests as a `node:http` request listener: a POST is a JSON-RPC call or
   * batch, with a peer of its own (see `serveHttp`). serve() runs it on a server of its own;
   * attached to your `server`, mount it in your routes, e.g. `app.post('/rpc', server.listener)`.
   * Never throws; always answers.
   */
  readonly listener: (request: IncomingMessage, response: ServerResponse) => void;
  /**
   * Sends a notification to every connected client. Throws a `ProtocolError` for a bad
   * method or params (or params that cannot be serialised) before sending to anyone, as
   * `notify()` does; skips quietly the peers that are closing; never throws for one client.
   */
  notifyAll(method: string, params?: JsonRpcParams): void;
  /**
   * Sends a notification to every client in `group` (see `join`), as `notifyAll` does;
   * with a `backplane`, to the clients in that group of every process. A group nobody is
   * in reaches nobody. Throws a TypeError for a group that is not a non-empty string.
   */
  notifyGroup(group: string, method: string, params?: JsonRpcParams): void;
  /**
   * Puts a connected client's peer in a named group (a room, a topic), for `notifyGroup`;
   * a peer leaves all its groups when it closes. Returns false, and does nothing, for a
   * peer that is not among `peers` (closed, or an HTTP POST's: it cannot be notified).
   * Groups live in each process; with a backplane a group's broadcast reaches its members
   * in every process.
   *
   * @example
   * ```ts
   * const server = await serve({ port: 8080 }, (peer) => {
   *   peer.handle('room.enter', ({ room }: { room: string }) => server.join(peer, room));
   * });
   * server.notifyGroup('lobby', 'room.message', { text: 'hello' });
   * ```
   */
  join(peer: Peer, group: string): boolean;
  /** Takes a peer out of a group; nothing happens if it is not in it. */
  leave(peer: Peer, group: string): void;
  /**
   * Shuts down gracefully: refuses new connections and POSTs (503), lets each peer finish
   * the calls it is answering (for `drain` ms at most; a POST still unanswered then gets
   * 503), closes every connection with 1001, stops listening if the server listened
   * itself, and stops listening to the backplane (whose clients stay open: they are yours).
   */
  close(options?: { readonly drain?: number }): Promise<void>;
}

/**
 * What `serve()` hands to `setup` for each new client, and for each HTTP POST (whose body
 * is dispatched once a promise `setup` returns resolves). If it throws (or returns a promise
 * that rejects), that connection is closed with 1011 (that POST is answered 500) and the
 * error reported on `errors$`.
 */
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
  /** {@link ServeOptions.origins} */
  origins: 'same-origin',
  /** `handlerTimeout` of each connection's peer (see {@link ServeOptions.peer}). */
  handlerTimeout: 60_000,
  /** `drain` of {@link JsonRpcServer.close}. */
  drain: 5_000,
  /** {@link ServeOptions.writeTimeout} */
  writeTimeout: 30_000,
} as const;
