import { createServer, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { messageOf, TransportError, type RpcError } from '../protocol/errors';
import type { RpcApi, UntypedApi } from '../peer/api';
import { checkFeatureValues } from '../peer/feature-values';
import type { HandlerTree, Peer } from '../peer/peer';
import { httpListener } from './http-listener';
import { sessionTable } from './http-sessions';
import { checkPingOptions } from './keep-alive';
import { loadWs } from './load-ws';
import { originCheck } from './origin-policy';
import { admit, isForPath, shown, type AdmissionSetup } from './serve-admission';
import { acceptor } from './serve-accept';
import { closeServer, closeSockets } from './serve-close';
import { broadcaster } from './serve-broadcast';
import { serveDefaults, type JsonRpcServer, type ServeOptions, type SetupPeer } from './serve-options';
import { answerOwnRequests } from './serve-own-requests';
import { serverErrors } from './serve-errors';
import { peerParts, servedBy } from './serve-methods';
import { sessionCopies } from './serve-session';
import { refuseUpgrade, upgradeRequired } from './upgrade-refuse';

export {
  serveDefaults,
  type Authenticate,
  type JsonRpcServer,
  type ServeOptions,
  type SetupPeer,
} from './serve-options';

/**
 * Serves JSON-RPC over WebSocket and HTTP POST: listens (or attaches to a server), and for
 * each client makes a peer and hands it to `setup` to register handlers; or, given a plain
 * object of methods instead (as `handleAll` takes), serves those to every client from one
 * table registered once (a lone POST is then answered without a peer). On a server of its
 * own it also answers POSTs on its path (see `serveHttp`: a peer per POST, no pushes);
 * attached to yours, it leaves your requests to you: mount `server.listener` where you want
 * POSTs answered. Resolves once listening;
 * rejects with a TypeError for options it cannot work with (an `origins` entry that is no
 * origin, a `peer.session` that cannot be copied, methods that are not functions). Nothing a client sends makes it throw:
 * a bad handshake is refused, a failing check or `setup` is reported on `errors$`.
 * `Api` types each peer from the server's side (see `Reversed` to derive it from a client's).
 *
 * @example
 * ```ts
 * const server = await serve({ port: 8080 }, (peer) => {
 *   peer.handle('math.sum', positional((a: number, b: number) => a + b));
 * });
 * // The same methods for every client:
 * const same = await serve({ port: 8081 }, { math: { sum: positional((a: number, b: number) => a + b) } });
 * ```
 */
export async function serve<Api extends RpcApi = UntypedApi>(
  options: ServeOptions,
  setup: SetupPeer<Api> | HandlerTree,
): Promise<JsonRpcServer> {
  const newSession = sessionCopies(options.peer?.session);
  checkFeatureValues(options.peer);
  if (options.heartbeat) checkPingOptions(options.heartbeat);
  const peers = new Set<Peer>();
  const { errors, report, complete } = serverErrors(options.log);
  const broadcast = broadcaster({ peers, report, codec: options.peer?.codec, backplane: options.backplane });
  const owned = options.server === undefined && options.wss === undefined ? createServer() : undefined;
  const httpServer = options.server ?? owned;
  let closing = false;
  const admission: AdmissionSetup = {
    closing: () => closing,
    originAllowed: originCheck(options.origins),
    authenticate: options.authenticate,
    report,
  };
  const wss =
    options.wss ??
    new (await loadWs('serve()')).WebSocketServer({
      ...options.ws,
      noServer: true,
      maxPayload: options.maxPayload ?? serveDefaults.maxPayload,
    });

  // the acceptor is untyped; setup receives the peer it was typed for
  const served = servedBy(options, setup as SetupPeer<never> | HandlerTree, 'serve()');
  const accept = acceptor({
    ...peerParts(served),
    peers,
    newSession,
    report,
    server: () => server,
  });

  const peerSetup = { ...peerParts(served), newSession, report, server: () => server, peers };
  const http = httpListener({
    ...peerParts(served),
    origins: options.origins,
    frames: served.frames,
    newSession,
    admission,
    sessions: options.sessions && sessionTable(options.sessions, peerSetup),
    server: () => server,
    // A GET without Upgrade is a WebSocket client that forgot to ask for it.
    get: upgradeRequired,
  });
  // On a server of its own, serve() answers every request: its path's, or 404.
  if (owned !== undefined) answerOwnRequests(owned, http, options.path, report);

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    let ours: boolean;
    try {
      ours = isForPath(request, options.path);
    } catch (error) {
      // On a server shared with others, a target we cannot read may still be theirs.
      if (owned === undefined) return;
      return refuseAndReport(socket, 400, error as RpcError);
    }
    // On a server of its own there is nobody else to take the upgrade.
    if (!ours) return owned === undefined ? undefined : refuseUpgrade(socket, 404);
    // A client may reset its socket while authenticate runs: its error must not go unheard.
    socket.on('error', ignore);
    void admit(request, admission).then((verdict) => {
      if (socket.destroyed) return;
      if (typeof verdict === 'number') return refuseUpgrade(socket, verdict);
      try {
        wss.handleUpgrade(request, socket, head, (ws) => {
          socket.off('error', ignore);
          accept(ws, request, verdict);
        });
      } catch (cause) {
        const error = new TransportError(`Upgrade of ${shown(request.url)} failed: ${messageOf(cause)}`, { cause });
        // Once a 101 went out the socket is a WebSocket's (another server's, say): no HTTP answer on it.
        if (((socket as { bytesWritten?: number }).bytesWritten ?? 0) > 0) report(error);
        else refuseAndReport(socket, 500, error);
      }
    });
  };

  const refuseAndReport = (socket: Duplex, status: number, error: RpcError) => {
    refuseUpgrade(socket, status);
    report(error);
  };

  const onConnection = (ws: WebSocket, request: IncomingMessage) => {
    // ws emits 'error' for a bad frame; until the peer listens, nobody else would.
    ws.on('error', ignore);
    // Hold the client's first frames while the checks run: nobody listens yet.
    ws.pause();
    void admit(request, admission).then((verdict) => {
      if (ws.readyState !== ws.OPEN) return;
      if (typeof verdict === 'number') ws.close(1008, closeReasons[verdict]);
      else accept(ws, request, verdict);
      // Reading again also lets a refused client's close handshake finish.
      ws.resume();
    });
  };

  // Listening to the backplane before the first client: when it cannot, serve() rejects having set up nothing.
  await broadcast.listen();
  if (options.wss !== undefined) options.wss.on('connection', onConnection);
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- defined whenever no wss was given
  else httpServer!.on('upgrade', onUpgrade);

  if (owned !== undefined) {
    await new Promise<void>((resolve, reject) => {
      owned.once('error', reject);
      owned.listen(options.port ?? 0, options.host ?? serveDefaults.host, () => {
        owned.off('error', reject);
        resolve();
      });
    }).catch(async (error: unknown) => {
      // A port taken: nothing is served, and the backplane is closed (its subscription let go).
      httpServer?.off('upgrade', onUpgrade);
      await broadcast.close();
      throw error;
    });
    owned.on('error', (cause) => report(new TransportError(`The server failed: ${messageOf(cause)}`, { cause })));
  }

  const address = owned?.address();
  const server: JsonRpcServer = {
    peers,
    url:
      typeof address === 'object' && address !== null ? `ws://${hostOf(address.address)}:${address.port}` : undefined,
    errors$: errors.asObservable(),
    listener: http.listener,
    notifyAll: broadcast.notifyAll,
    notifyGroup: broadcast.notifyGroup,
    join: broadcast.join,
    leave: broadcast.leave,
    close: async ({ drain = serveDefaults.drain } = {}) => {
      if (closing) return;
      closing = true;
      await Promise.all([
        ...[...peers].map((peer) => peer.close({ drain, code: 1001, reason: 'Server shutting down' })),
        http.stop(drain),
      ]);
      if (options.wss !== undefined) {
        options.wss.off('connection', onConnection);
      } else {
        // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- defined whenever no wss was given
        httpServer!.off('upgrade', onUpgrade);
        await closeSockets(wss);
      }
      if (owned !== undefined) await closeServer(owned);
      await broadcast.close();
      complete();
    },
  };
  return server;
}

const closeReasons: { readonly [status: number]: string } = {
  401: 'Unauthorized',
  403: 'Origin not allowed',
  500: 'Internal error',
  503: 'Server shutting down',
};

function ignore(): void {
  // The socket closes itself after an error; only an unheard 'error' event would kill the process.
}

function hostOf(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}
