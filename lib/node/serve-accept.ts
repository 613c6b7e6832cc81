import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { HandlerError, messageOf, type RpcError } from '../protocol/errors';
import { connectPeer } from '../peer/connect';
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
  return (socket, request, session) => {
    const info = upgradeInfo(request);
    const connection = `the connection from ${String(info.remoteAddress)} to ${shown(info.url)}`;
    let peer: Peer | undefined;
    const failed = (cause: unknown) => {
      const what = peer === undefined ? `Could not serve ${connection}` : `setup() failed for ${connection}`;
      report(new HandlerError(`${what}: ${messageOf(cause)}`, { cause }));
      if (peer === undefined) socket.close(1011, 'Internal error');
      else void peer.close({ code: 1011, reason: 'Internal error' });
    };
    try {
      corkEachTick(socket);
      const heartbeat = options.heartbeat ?? pingDefaults;
      if (heartbeat !== false) keepAlive(socket, heartbeat);
      const seen: ServerConnectionInfo = { transport: 'websocket', protocol: socket.protocol, ...info };
      const transport = acceptedWebSocket(socket, linkInfoOf(seen), options.highWaterMark);
      // A peer may close while it is being made (a socket gone already): it is then never added.
      let closed = false;
      const added: Peer = connectPeer(
        transport,
        {
          handlerTimeout: serveDefaults.handlerTimeout,
          ...options.peer,
          // An accepted socket cannot be re-opened: the client reconnects, the server does not.
          reconnect: false,
          session: { ...context.newSession(), ...session },
        },
        // Gone as it closes, before setup's own subscribers hear 'closed': a notifyAll from them skips it.
        {
          onClosed: () => {
            closed = true;
            if (peer !== undefined) peers.delete(peer);
          },
          onHandlerError: report,
        },
      );
      peer = added;
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- onClosed may have run inside connectPeer()
      if (!closed) peers.add(added);
      // Typed to return void so that any function fits; an async one returns a promise to watch.
      // eslint-disable-next-line @typescript-eslint/no-confusing-void-expression
      const done: unknown = context.setup(added, seen, context.server());
      if (isThenable(done)) done.then(undefined, failed);
    } catch (cause) {
      failed(cause);
    }
  };
}
