import { firstValueFrom, from, race, timer } from 'rxjs';
import type { RpcError } from '../protocol/errors';
import { connectPeer } from '../peer/connect';
import { FrameAnswering, type FrameParts } from '../peer/frame-answering';
import type { Peer } from '../peer/peer';
import type { EventStreamAnswer } from './http-event-stream';
import { oneShotLink } from './http-link';
import { postPeerOptions, type PostRun } from './http-post-peer';
import type { ServeOptions } from './serve-options';
import { linkInfoOf, type ServerConnectionInfo } from './upgrade-info';

/** What a POST is answered with when its server is served by its methods. */
export interface DirectPostSetup {
  /** The server's methods and the parts made once for its frames. */
  readonly frames: FrameParts;
  /** The options of a POST's peer, for the one a handler may ask for. */
  readonly options: Pick<ServeOptions, 'peer'>;
  /** Reports a failure on the server's `errors$`. */
  readonly report: (error: RpcError) => void;
  /** A fresh copy of the session template. */
  readonly newSession: () => Record<string, unknown>;
}

/**
 * Answers a POST's body with the server's methods and no peer (see `FrameAnswering`): what
 * `runPostPeer` does for a server whose `setup` has nothing to run, at a fraction of its
 * cost. A handler that reads `context.peer` (or sends progress) gets the POST's peer, made
 * then over a one-shot link, which pushes on `stream` as `runPostPeer`'s would; it closes
 * with the POST.
 */
export function answerDirectly(
  setup: DirectPostSetup,
  info: ServerConnectionInfo,
  body: string,
  seed: Record<string, unknown>,
  stream?: EventStreamAnswer,
): PostRun {
  const { report } = setup;
  const session = { ...setup.newSession(), ...seed };
  const connection = linkInfoOf(info);
  let peer: Peer | undefined;
  // Set once the POST is answered (or given up): a peer asked for later is made closed, as the POST's own would be by then.
  let ended = false;
  const peerOf = (): Peer => {
    if (peer !== undefined) return peer;
    const link = oneShotLink(connection, '', report, stream);
    peer = connectPeer(link.transport, postPeerOptions(setup.options), {
      onHandlerError: report,
      session,
      // A handler that closes it ends the POST, as it would end a peer's: what still runs is given up.
      onClosed: () => answering.abandon(),
    });
    if (ended) void peer.close();
    return peer;
  };
  const answering = new FrameAnswering(setup.frames, {
    info: connection,
    session,
    peer: peerOf,
    onHandlerError: report,
  });
  const outcome = answering.answerFrame(body).finally(() => {
    ended = true;
    void peer?.close();
  });
  return {
    outcome,
    interrupt: () => false,
    close: async ({ drain = 0, code, reason }) => {
      if (drain > 0 && answering.calls > 0) {
        await firstValueFrom(race(from(outcome), timer(drain, setup.frames.scheduler)));
      }
      ended = true;
      // The peer first, as a peer per POST would close: its handlers' signals abort with it closed.
      await peer?.close({ code, reason });
      answering.abandon();
    },
  };
}
