import {
  Observable,
  type SchedulerLike,
  type Subscriber,
  type Subscription,
  type TeardownLogic,
  type Unsubscribable,
} from 'rxjs';
import { ConnectionClosedError, TransportError, type RpcError } from '../../protocol/errors';
import { openDirectly, opensDirectly, type LinkObserver } from '../../transports/direct-open';
import type { Connection, Transport } from '../../transports/transport';

/** What a link of `link$` is used for while it is open. */
export interface LinkUser {
  /**
   * Uses the `connection` just opened for the link's life (its frames, its liveness); ends
   * the link with `run.fail(error)`. Returns what to let go of when the link ends; throws if
   * the link cannot be used.
   */
  use(connection: Connection, run: LinkRun): Unsubscribable;
}

/**
 * One link of `transport` as a cold Observable: each subscription opens a link, emits it
 * once it is open, has `user` use it for its life, and errors when it ends, whatever the
 * way it ends: dropped, refused, not opened within `connectTimeout` ms (0 or Infinity: no
 * limit), or completed by a transport that does not error. `retry` (see `reconnecting`)
 * makes it a stream of links.
 *
 * Written by hand rather than as a pipe of operators, and as objects rather than closures:
 * a server holds one per connection, and each operator of a pipe is a subscriber and
 * closures of its own (about 5 KiB a link).
 */
export function link$(
  transport: Transport,
  connectTimeout: number,
  clock: SchedulerLike,
  user?: LinkUser,
): Observable<Connection> {
  return new Links(transport, connectTimeout, clock, user);
}

class Links extends Observable<Connection> {
  constructor(
    readonly transport: Transport,
    readonly connectTimeout: number,
    readonly clock: SchedulerLike,
    readonly user: LinkUser | undefined,
  ) {
    super(openLink);
  }
}

function openLink(this: Observable<Connection>, subscriber: Subscriber<Connection>): TeardownLogic {
  // Only Links' constructor hands this function to an Observable: the test only narrows.
  if (!(this instanceof Links)) return undefined;
  return new LinkRun(this.transport, this.connectTimeout, this.clock, this.user, subscriber, false);
}

/**
 * One link of `transport` for `user`, as `link$(...).subscribe(end)` opens it, without the
 * Observable and its Subscriber (a server holds one per connection, and never re-opens it):
 * `end` hears once how the link ended, unless it was let go first.
 */
export function openOneLink(
  transport: Transport,
  connectTimeout: number,
  clock: SchedulerLike,
  user: LinkUser,
  end: LinkObserver,
): Unsubscribable {
  return new LinkRun(transport, connectTimeout, clock, user, end, true);
}

/** One link of `link$`, or of `openOneLink`: the transport's link, from its opening to its end. */
export class LinkRun implements LinkObserver, Unsubscribable {
  private opened = false;
  /** Ended or let go: kept for a run of `openOneLink` (a Subscriber keeps its own). */
  private stopped = false;
  private using: Unsubscribable | undefined;
  private timer: Subscription | undefined;
  private links: Unsubscribable | undefined;

  constructor(
    transport: Transport,
    connectTimeout: number,
    clock: SchedulerLike,
    private readonly user: LinkUser | undefined,
    /** Where the link goes, and how it ends: a Subscriber of `link$`, or the `end` of `openOneLink`. */
    private readonly subscriber: LinkObserver & { readonly closed?: boolean },
    /** Set for `openOneLink`: no Subscriber tears this run down when it ends, so it does so itself. */
    private readonly own: boolean,
  ) {
    if (connectTimeout > 0 && connectTimeout < Infinity) {
      this.timer = clock.schedule(
        () => this.fail(notOpened(`did not open a link within ${String(connectTimeout)} ms`)),
        connectTimeout,
      );
    }
    let links: Unsubscribable;
    try {
      // Our own transports (an accepted socket) open without a Subscriber too.
      links = opensDirectly(transport) ? transport[openDirectly](this) : transport.connect().subscribe(this);
    } catch (error) {
      // A transport whose connect() throws has failed to open, as a subscription of link$ would say.
      this.fail(error);
      return;
    }
    // The link may have ended while it opened (an accepted socket already closed): let it go now.
    if (this.stopped) links.unsubscribe();
    else this.links = links;
  }

  /** Whether the run has ended (its Subscriber closed, or it stopped itself): a method, as it changes while next() runs. */
  private isClosed(): boolean {
    return this.own ? this.stopped : this.subscriber.closed === true;
  }

  next(connection: Connection): void {
    if (this.isClosed()) return;
    this.opened = true;
    this.timer?.unsubscribe();
    // Let go of it: the link lives long, a timer that has done its work need not.
    this.timer = undefined;
    // A transport emits one link per connect(); a second one replaces the first.
    this.using?.unsubscribe();
    const { subscriber, user } = this;
    subscriber.next(connection);
    if (user === undefined || this.isClosed()) return;
    let using: Unsubscribable;
    try {
      using = this.using = user.use(connection, this);
    } catch (error) {
      // A link that cannot be used (a connection without frames$, say) has failed: not the process.
      return this.fail(error);
    }
    // `use` may have ended the link at once, before there was a `using` to tear down.
    if (this.isClosed()) using.unsubscribe();
  }

  /** Ends the link with `error`. */
  fail(error: unknown): void {
    // A Subscriber says it once, then runs unsubscribe() (this run is its teardown).
    if (!this.own) return this.subscriber.error(error);
    if (this.stopped) return;
    this.stopped = true;
    try {
      this.subscriber.error(error);
    } finally {
      this.unsubscribe();
    }
  }

  error(error: unknown): void {
    this.fail(error);
  }

  complete(): void {
    // Links end by erroring; a transport that completes instead has still ended its link.
    this.fail(ended(this.opened));
  }

  unsubscribe(): void {
    this.stopped = true;
    const { timer, using, links } = this;
    // Let go of the link: a peer kept after its close must not keep its socket, nor the socket the peer.
    this.timer = this.using = this.links = undefined;
    timer?.unsubscribe();
    using?.unsubscribe();
    links?.unsubscribe();
  }
}

function notOpened(what: string): TransportError {
  return new TransportError(`Could not connect: the transport ${what}`, { retryable: true });
}

/** The error of a transport that completed instead of erroring. */
function ended(opened: boolean): RpcError {
  return opened
    ? new ConnectionClosedError('The transport ended the link (its connect() completed)', { code: 1006 })
    : notOpened('completed without opening a link');
}
