import { HandlerError, messageOf } from '../protocol/errors';
import { connectPeer } from '../peer/connect';
import type { Peer } from '../peer/peer';
import { httpPeerOptions, type PostPeerSetup } from './http-post-peer';
import { waitForSetup } from './http-setup-wait';
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
    // A call its client cancelled, answered with nothing: its POST waits for it no more.
    onUnanswered: (id) => {
      const key = idKey(id);
      if (key !== undefined) link.unanswered(key);
    },
  });
  made.peer = peer;
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- onClosed may have run inside connectPeer()
  if (!closed) peers?.add(peer);
  const failed = async (message: string, cause?: unknown): Promise<500> => {
    report(new HandlerError(message, { cause }));
    await peer.close({ code: 1011, reason: 'Internal error' });
    return 500;
  };
  try {
    // Typed to return void so that any function fits; an async one returns a promise to wait for.
    // eslint-disable-next-line @typescript-eslint/no-confusing-void-expression
    const ready: unknown = context.setup(peer, info, context.server());
    if (typeof (ready as PromiseLike<unknown> | null)?.then === 'function') {
      const settled = await waitForSetup(ready as PromiseLike<unknown>, handlerTimeout).outcome;
      if (settled.kind === 'failed') {
        return await failed(`setup() failed for ${post()}: ${messageOf(settled.cause)}`, settled.cause);
      }
      if (settled.kind !== 'ready')
        return await failed(`setup() did not settle within ${handlerTimeout} ms for ${post()}`);
    }
  } catch (cause) {
    return failed(`setup() failed for ${post()}: ${messageOf(cause)}`, cause);
  }
  return peer;
}
