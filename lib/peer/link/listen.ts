import { Subscription, type Observable, type Observer, type Unsubscribable } from 'rxjs';
import type { RpcError } from '../../protocol/errors';
import { Feed, type FeedListener } from '../../transports/feed';
import type { Connection, Frame, FrameWithCause } from '../../transports/transport';
import type { LinkRun } from './link';

/** Where a link's incoming frames and messages go (the peer's dispatcher). */
export interface Receiver {
  frame(frame: Frame): void;
  frameWithCause(frame: FrameWithCause): void;
  /** Every message handed over as an object (a transport that does not serialize). */
  message(message: object): void;
}

/** What listens to a link: its receiver, and where the link's problems are reported. */
export interface LinkListener {
  readonly receiver: Receiver;
  /** Reports a problem of the link that does not end it. */
  report(error: RpcError): void;
}

/**
 * One link's life: its frames go to the receiver, its problems are reported and its
 * `liveness` is checked on the side; a failure of any of them ends the link with `run.fail`.
 * Returns what to let go of when the link ends.
 */
export function listenToLink(
  connection: Connection,
  listener: LinkListener,
  liveness: (() => Observable<never>) | undefined,
  run: LinkRun,
): Unsubscribable {
  // Frames go straight to the dispatcher; no operator stands between. A Feed (every transport of
  // ours) calls the FramesTo itself: no Subscriber pair for each link, nor for each frame.
  const frames = connection.frames$;
  const { receiver } = listener;
  const to = new FramesTo(receiver, run);
  const direct = frames instanceof Feed;
  if (direct) frames.listen(to);
  const sides = connection.messages$ ?? connection.framesWithCause$ ?? connection.problems$ ?? liveness;
  if (direct && sides === undefined) return to;
  const life = direct ? new Subscription(() => to.unsubscribe()) : frames.subscribe(to);
  const fail = (error: unknown) => run.fail(error);
  try {
    if (connection.messages$ !== undefined)
      life.add(connection.messages$.subscribe({ next: (message) => receiver.message(message), error: fail }));
    // What these side streams' targets throw ends the link, as it did in a pipe's tap().
    if (connection.framesWithCause$ !== undefined) {
      const next = failing((frame: FrameWithCause) => receiver.frameWithCause(frame), fail);
      life.add(connection.framesWithCause$.subscribe({ next, error: fail }));
    }
    if (connection.problems$ !== undefined) {
      const report = (error: RpcError) => listener.report(error);
      life.add(connection.problems$.subscribe({ next: failing(report, fail), error: fail }));
    }
    if (liveness !== undefined) life.add(liveness().subscribe({ error: fail }));
  } catch (error) {
    // Whatever was subscribed before the throw is let go with the link.
    life.unsubscribe();
    throw error;
  }
  return life;
}

/** Hands a link's frames to the receiver, and its failure to the link: an object, not two closures of each peer. */
class FramesTo implements Observer<Frame>, FeedListener<Frame>, Unsubscribable {
  closed = false;

  constructor(
    private readonly receiver: Receiver,
    private readonly run: LinkRun,
  ) {}

  next(frame: Frame): void {
    try {
      this.receiver.frame(frame);
    } catch (error) {
      // The receiver does not throw; if it ever did, the link fails, not the process.
      this.run.fail(error);
    }
  }

  error(error: unknown): void {
    this.run.fail(error);
  }

  complete(): void {
    // The link's end is the transport's to say.
  }

  unsubscribe(): void {
    this.closed = true;
  }
}

/** `target`, whose throw goes to `fail` rather than out of a subscriber's `next`. */
function failing<T>(target: (value: T) => void, fail: (error: unknown) => void): (value: T) => void {
  return (value) => {
    try {
      target(value);
    } catch (error) {
      fail(error);
    }
  };
}
