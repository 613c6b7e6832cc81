import type { RpcApi, UntypedApi } from '../peer/api';
import { checkFeatureValues } from '../peer/feature-values';
import type { HandlerTree, Peer } from '../peer/peer';
import { httpListener } from './http-listener';
import { sessionTable } from './http-sessions';
import { originCheck } from './origin-policy';
import { broadcaster } from './serve-broadcast';
import { serveDefaults, type JsonRpcServer, type ServeOptions, type SetupPeer } from './serve-options';
import { serverErrors } from './serve-errors';
import { peerParts, servedBy } from './serve-methods';
import { sessionCopies } from './serve-session';

/** Options of {@link serveHttp}: those of `serve()` that are not about listening or WebSocket. */
export type ServeHttpOptions = Pick<
  ServeOptions,
  | 'origins'
  | 'authenticate'
  | 'maxPayload'
  | 'writeTimeout'
  | 'highWaterMark'
  | 'peer'
  | 'log'
  | 'logCalls'
  | 'sessions'
>;

/**
 * Serves JSON-RPC over HTTP POST inside a server you already run: returns a server whose
 * `listener` is a plain `(request, response)` handler, for a `node:http` server, or an
 * Express or Fastify route (mounted before any body parser: it reads the body itself).
 * Each POST (one call, or a batch) gets a peer of its own, made by `setup` as serve() makes
 * one per WebSocket client (given a plain object of methods instead, a lone POST is answered
 * with them and no peer, within the same limits), with the same options, limits, origin policy and
 * `authenticate`; its answer is the response (200, `application/json`), or 204 when the
 * body held notifications only; a handler's notifications go out before it when the client
 * takes an event stream, and its calls to its client fail at once with a non-retryable
 * TransportError. Such peers are not in `peers`: `notifyAll` and `notifyGroup` reach
 * nobody, and `join` returns false. With `sessions`, each session has one peer instead,
 * which is in `peers` and may call its client (see `ServeOptions.sessions`). Throws a TypeError for options it cannot work with,
 * as serve() does; nothing a client sends makes the listener throw.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { positional } from 'rx-jsonrpc';
 * import { serveHttp } from 'rx-jsonrpc/node';
 *
 * const rpc = serveHttp({ maxPayload: 65_536 }, (peer) => {
 *   peer.handle('math.sum', positional((a: number, b: number) => a + b));
 * });
 * createServer(rpc.listener).listen(8080);
 * ```
 */
export function serveHttp<Api extends RpcApi = UntypedApi>(
  options: ServeHttpOptions,
  setup: SetupPeer<Api> | HandlerTree,
): JsonRpcServer {
  const { errors, report, complete } = serverErrors(options.log);
  const peers = new Set<Peer>();
  let closing = false;
  // It has nobody to deliver to; `backplane` is serve()'s, whose WebSocket clients can be notified.
  const broadcast = broadcaster({ peers, report, codec: options.peer?.codec, backplane: undefined });
  // the listener is untyped; setup receives the peer it was typed for
  const served = servedBy(options, setup as SetupPeer<never> | HandlerTree, 'serveHttp()');
  const newSession = sessionCopies(options.peer?.session);
  checkFeatureValues(options.peer);
  const peerSetup = { ...peerParts(served), newSession, report, server: () => server, peers };
  const http = httpListener({
    ...peerParts(served),
    origins: options.origins,
    frames: served.frames,
    newSession,
    sessions: options.sessions && sessionTable(options.sessions, peerSetup),
    admission: {
      closing: () => closing,
      originAllowed: originCheck(options.origins),
      authenticate: options.authenticate,
      report,
    },
    server: () => server,
  });
  const server: JsonRpcServer = {
    peers,
    url: undefined,
    errors$: errors.asObservable(),
    listener: http.listener,
    notifyAll: broadcast.notifyAll,
    notifyGroup: broadcast.notifyGroup,
    join: broadcast.join,
    leave: broadcast.leave,
    close: async ({ drain = serveDefaults.drain } = {}) => {
      if (closing) return;
      closing = true;
      await http.stop(drain);
      complete();
    },
  };
  return server;
}
