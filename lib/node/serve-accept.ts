import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { HandlerError, messageOf, type RpcError } from '../protocol/errors';
import { connectPeer, type PeerHooks } from '../peer/connect';
import type { HandlerRegistry } from '../peer/answerer/handlers';
import type { PeerOptions } from '../peer/options';
import type { Peer } from '../peer/peer';
import { corkEachTick } from './cork';
import { keepAlive, pingDefaults } from './keep-alive';
import { shown } from './serve-admission';
import { serveDefaults, type JsonRpcServer, type ServeOptions, type SetupPeer } from './serve-options';
import { isThenable } from './http-setup-wait';
import { acceptedWebSocket } from './accepted-web-socket';
import { linkInfoOf, upgradeInfo, type ServerConnectionInfo } from './upgrade-info';

/** What {@link acceptor} needs from its server. */
export interface AcceptSetup {
  readonly options: ServeOptions;
  readonly setup: SetupPeer<never>;
  /** The server's methods, served by every peer after its own (undefined when `setup` registers them). */
  readonly methods: HandlerRegistry | undefined;
  readonly peers: Set<Peer>;
  /** A fresh copy of the session template. */
  readonly newSession: () => Record<string, unknown>;
  readonly report: (error: RpcError) => void;
  /** The server, handed to `setup` (built after the acceptor). */
  readonly server: () => JsonRpcServer;
}

/**
 * Makes what turns an admitted socket into a peer and runs `setup` on it. Total: a failure
 * there (or a rejected promise from `setup`) is reported as a HandlerError naming the
 * connection, and closes that connection with 1011 (Internal Error).
 */
export function acceptor(
  context: AcceptSetup,
): (socket: WebSocket, request: IncomingMessage, session: Record<string, unknown>) => void {
  const { options, peers, report } = context;
  // One options object for every peer of the server (each peer's session comes in its hooks),
  // made at the first connection: options that cannot be read fail each connection, not serve().
  let peerOptions: PeerOptions | undefined;
  return (socket, request, session) => {
    const info = upgradeInfo(request);
    let served: ServedPeer | undefined;
    // What `failed` keeps while an async setup runs: not `info`, which holds the request.
    const { remoteAddress, url } = info;
    const failed = (cause: unknown) => {
      const connection = `the connection from ${String(remoteAddress)} to ${shown(url)}`;
      const peer = served?.peer;
      const what = peer === undefined ? `Could not serve ${connection}` : `setup() failed for ${connection}`;
      report(new HandlerError(`${what}: ${messageOf(cause)}`, { cause }));
      if (peer === undefined) socket.close(1011, 'Internal error');
      else void peer.close({ code: 1011, reason: 'Internal error' });
    };
    try {
      // The session is copied here, where a failure (a template that cannot be copied) closes this connection.
      served = new ServedPeer(peers, report, { ...context.newSession(), ...session }, context.methods);
      corkEachTick(socket);
      const heartbeat = options.heartbeat ?? pingDefaults;
      if (heartbeat !== false) keepAlive(socket, heartbeat);
      const seen: ServerConnectionInfo = { transport: 'websocket', protocol: socket.protocol, ...info };
      const transport = acceptedWebSocket(socket, linkInfoOf(seen), options.highWaterMark);
      peerOptions ??= {
        handlerTimeout: serveDefaults.handlerTimeout,
        ...options.peer,
        // An accepted socket cannot be re-opened: the client reconnects, the server does not.
        reconnect: false,
      };
      const peer: Peer = connectPeer(transport, peerOptions, served);
      served.added(peer);
      // Typed to return void so that any function fits; an async one returns a promise to watch.
      // eslint-disable-next-line @typescript-eslint/no-confusing-void-expression
      const done: unknown = context.setup(peer, seen, context.server());
      if (isThenable(done)) done.then(undefined, failed);
    } catch (cause) {
      failed(cause);
    }
  };
}

/**
 * What a server's peer tells the server: it leaves `peers` as it closes, before setup's own
 * subscribers hear 'closed' (a notifyAll from them skips it), and its handlers' failures go
 * to the server's `errors$`. An object, where closures would keep the whole scope of the
 * accept (held for the connection's life).
 */
class ServedPeer implements PeerHooks {
  peer: Peer | undefined;
  private closed = false;

  constructor(
    private readonly peers: Set<Peer>,
    readonly onHandlerError: (error: HandlerError) => void,
    readonly session: Record<string, unknown>,
    readonly methods: HandlerRegistry | undefined,
  ) {}

  /** The peer made with these hooks; a peer that closed while it was made is never added. */
  added(peer: Peer): void {
    this.peer = peer;
    if (!this.closed) this.peers.add(peer);
  }

  onClosed(): void {
    this.closed = true;
    if (this.peer !== undefined) this.peers.delete(this.peer);
  }
}
