import { connectPeer } from '../peer/connect';
import type { Peer } from '../peer/peer';
import { httpPeerOptions, type PostPeerSetup } from './http-post-peer';
import { setUpPeer } from './http-setup-wait';
import { idKey, type SessionLink } from './http-session-link';
import { serveDefaults } from './serve-options';
import type { ServerConnectionInfo } from './upgrade-info';

/** What a session's peer is made from: a POST's, and the set of the server's peers it joins. */
export interface SessionPeerSetup extends PostPeerSetup {
  /** The server's `peers`: a session's peer is in it while the session lasts. */
  readonly peers?: Set<Peer>;
}

/**
 * Makes the one peer of an HTTP session over its `link`, as serve() makes one per WebSocket
 * client: it joins `peers` (so `notifyAll` and groups reach it) and leaves it, calling
 * `onClosed`, when it closes. Runs `setup` once, waiting for a promise it returns within the
 * peer's `handlerTimeout`. Resolves with the peer, or with 500 when setup failed or did not
 * settle in time (reported; the peer closed). Never rejects.
 */
export async function sessionPeer(
  context: SessionPeerSetup,
  link: SessionLink,
  info: ServerConnectionInfo,
  seed: Record<string, unknown>,
  post: () => string,
  onClosed: () => void,
): Promise<Peer | 500> {
  const { options, report, peers } = context;
  const handlerTimeout = options.peer?.handlerTimeout ?? serveDefaults.handlerTimeout;
  let closed = false;
  // Read by onClosed, which may run inside connectPeer() before it is assigned.
  const made: { peer?: Peer } = {};
  const peer = connectPeer(link.transport, httpPeerOptions(context, seed), {
    onClosed: () => {
      closed = true;
      if (made.peer !== undefined) peers?.delete(made.peer);
      onClosed();
    },
    onHandlerError: report,
    methods: context.methods,
    // A call its client cancelled, answered with nothing: its POST waits for it no more.
    onUnanswered: (id) => {
      const key = idKey(id);
      if (key !== undefined) link.unanswered(key);
    },
  });
  made.peer = peer;
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- onClosed may have run inside connectPeer()
  if (!closed) peers?.add(peer);
  // Typed to return void so that any function fits; an async one returns a promise to wait for.
  const setup = (): unknown => context.setup(peer, info, context.server());
  // Never interrupted: a session opens within its first POST, which the server's close answers itself.
  const setting = setUpPeer(setup, peer, handlerTimeout, post, report);
  const set = setting === 'ready' ? setting : await setting;
  if (set !== 'ready') return 500;
  return peer;
}
