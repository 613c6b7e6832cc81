import {
  Observable,
  type Observer,
  type SchedulerLike,
  type Subscriber,
  type Subscription,
  type TeardownLogic,
  type Unsubscribable,
} from 'rxjs';
import { ConnectionClosedError, TransportError, type RpcError } from '../../protocol/errors';
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
  return this instanceof Links ? new LinkRun(this, subscriber) : undefined;
}

/** One subscription of `link$`: the transport's link, from its opening to its end. */
export class LinkRun implements Observer<Connection>, Unsubscribable {
  private opened = false;
  private using: Unsubscribable | undefined;
  private timer: Subscription | undefined;
  private readonly links: Subscription;

  constructor(
    private readonly of: Links,
    private readonly subscriber: Subscriber<Connection>,
  ) {
    const { connectTimeout } = of;
    if (connectTimeout > 0 && connectTimeout < Infinity) {
      this.timer = of.clock.schedule(
        () => this.fail(notOpened(`did not open a link within ${String(connectTimeout)} ms`)),
        connectTimeout,
      );
    }
    this.links = of.transport.connect().subscribe(this);
  }

  next(connection: Connection): void {
    this.opened = true;
    this.timer?.unsubscribe();
    // Let go of it: the link lives long, a timer that has done its work need not.
    this.timer = undefined;
    // A transport emits one link per connect(); a second one replaces the first.
    this.using?.unsubscribe();
    const { subscriber, of } = this;
    subscriber.next(connection);
    if (of.user === undefined || subscriber.closed) return;
    let using: Unsubscribable;
    try {
      using = this.using = of.user.use(connection, this);
    } catch (error) {
      // A link that cannot be used (a connection without frames$, say) has failed: not the process.
      return this.fail(error);
    }
    // `use` may have ended the link at once, before there was a `using` to tear down.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- use() may call fail()
    if (subscriber.closed) using.unsubscribe();
  }

  /** Ends the link with `error`. */
  fail(error: unknown): void {
    this.subscriber.error(error);
  }

  error(error: unknown): void {
    this.fail(error);
  }

  complete(): void {
    // Links end by erroring; a transport that completes instead has still ended its link.
    this.fail(ended(this.opened));
  }

  unsubscribe(): void {
    this.timer?.unsubscribe();
    this.using?.unsubscribe();
    this.links.unsubscribe();
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
