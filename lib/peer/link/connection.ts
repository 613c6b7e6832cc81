import { BehaviorSubject, Observable, type SchedulerLike, type Unsubscribable } from 'rxjs';
import { messageOf, RpcError, TransportError } from '../../protocol/errors';
import type { LinkObserver } from '../../transports/direct-open';
import type { Connection, ConnectionInfo, FrameEnded, Transport } from '../../transports/transport';
import type { OutgoingFrame } from './encode';
import { cutShort } from './failures';
import { link$, openOneLink, type LinkRun, type LinkUser } from './link';
import { listenToLink, type LinkListener } from './listen';
import type { Reconnect } from '../options';
import type { PeerState } from '../state';

/** Something waiting for the link to open: a call or a notification. */
export interface Queued {
  /** Called once the link is open, in the order things were queued. */
  send(): void;
  /** Called if the link closes for good before the entry could be sent. */
  fail(error: RpcError): void;
}

/**
 * The peer's link: opens the transport (again after a drop, if its `Reconnect` says
 * so), routes incoming frames, keeps what waits for the link in order, and publishes
 * the state.
 */
export class PeerConnection implements LinkUser {
  /** The state now; `states` replays it to subscribers, made at the first (a server's peers mostly have none). */
  private current: PeerState = connecting;
  private states: BehaviorSubject<PeerState> | undefined;
  // Made when something first waits for a link: a server's peers are open from the start.
  private waiting: Set<Queued> | undefined;
  private subscription: Unsubscribable | undefined;
  private connection: Connection | undefined;
  private lastInfo: ConnectionInfo | undefined;
  private closing = false;
  private closedBy: RpcError | undefined;
  private opens = 0;
  private owner: LinkOwner | undefined;
  private liveness: (() => Observable<never>) | undefined;

  private stateStream: Observable<PeerState> | undefined;

  /** The state, replayed to each new subscriber; completes after `closed`. Made when first read. */
  // Each state is a new object: nothing repeats, nothing to filter. One subscriber, no operators.
  get state$(): Observable<PeerState> {
    return (this.stateStream ??= new Observable<PeerState>((subscriber) => {
      const state = this.current;
      // A closed link's stream replays its final state and completes.
      if (state.status !== 'closed')
        return (this.states ??= new BehaviorSubject<PeerState>(state)).subscribe(subscriber);
      subscriber.next(state);
      subscriber.complete();
      return undefined;
    }));
  }

  /** Says `state` to those who listen. */
  private stated(state: PeerState): void {
    this.current = state;
    this.states?.next(state);
  }

  constructor(
    private readonly transport: Transport,
    /** The clock of the reconnect deadline: the peer's scheduler, so that virtual time works. */
    private readonly clock: SchedulerLike,
  ) {}

  /**
   * Opens the transport and re-opens it as `reconnect` says (never without one), for `owner`:
   * its `receiver` gets every incoming frame; it is told each time the link ends by itself
   * (dropped, or could not open), with whether the peer will try again. `liveness` runs
   * while each link is open and errors to declare the link dead. An attempt that does not
   * open within `connectTimeout` ms fails; a transport that completes has ended its link.
   */
  start(
    owner: LinkOwner,
    reconnect: Reconnect | undefined,
    connectTimeout: number,
    liveness?: () => Observable<never>,
  ): void {
    this.owner = owner;
    this.liveness = liveness;
    // What waited goes out, and state$ says open, before the link's frames are listened to (see use()).
    const end = new LinksEnd(this);
    // Without reconnecting (a server's peer), its one link opens with no Observable nor Subscriber.
    if (reconnect === undefined) {
      this.subscription = openOneLink(this.transport, connectTimeout, this.clock, this, end);
      return;
    }
    const links$ = link$(this.transport, connectTimeout, this.clock, this);
    // Lifetime: one subscription for the whole life of the peer; each retry opens a new link.
    this.subscription = links$
      .pipe(
        reconnect.retryLinks(this.clock, {
          lost: (cause) => this.lost(cause, owner.inFlight()),
          closing: () => this.closing,
          retrying: (error, attempt) => {
            this.stated({ status: 'reconnecting', attempt, error });
            owner.dropped(error, true);
          },
        }),
      )
      .subscribe(end);
  }

  /** A link has opened: what waited goes out, then its frames are listened to, until `run` ends it. */
  use(connection: Connection, run: LinkRun): Unsubscribable {
    this.opened(connection);
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- start() sets the owner before any link opens
    return listenToLink(connection, this.owner!, this.liveness, run);
  }

  /** The links have ended for good, with `error`. */
  ended(error: unknown): void {
    const owner = this.owner;
    owner?.dropped(this.lost(error, owner.inFlight()), false);
  }

  /** Counts the links opened so far: an answer owed on one link must not go out on the next. */
  get generation(): number {
    return this.opens;
  }

  /** Facts about the current link, or the last one once it has closed. */
  get info(): ConnectionInfo | undefined {
    return this.lastInfo;
  }

  get isOpen(): boolean {
    return this.connection !== undefined;
  }

  /** What closed the link for good when it was not `close()` (what `state$` says last), once it has said so. */
  get closeCause(): RpcError | undefined {
    return this.closedBy;
  }

  /** Why the link is down while the peer reconnects (what `state$` said with 'reconnecting'); undefined otherwise. */
  get downCause(): RpcError | undefined {
    const state = this.current;
    return state.status === 'reconnecting' ? state.error : undefined;
  }

  /** True from the moment `close()` begins, so that a transport failing inside it cannot close twice. */
  get isClosed(): boolean {
    return this.closing;
  }

  /**
   * Writes a frame now: text with `send()`, a message object with `sendMessage()`. Only call
   * while `isOpen`; throws `TransportError` if the link refuses it.
   */
  write(frame: OutgoingFrame, ended?: FrameEnded): (() => void) | void {
    const connection = this.connection;
    if (connection === undefined) {
      throw new TransportError('Could not send a frame: the link is not open', { retryable: true });
    }
    try {
      if (typeof frame === 'string') return connection.send(frame, ended);
      // Objects go only to a transport that does not serialize, which has sendMessage() (if
      // not, the TypeError becomes the TransportError below).
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion
      return connection.sendMessage!(frame, ended);
    } catch (cause) {
      if (cause instanceof RpcError) throw cause;
      throw new TransportError(`Could not send a frame: ${messageOf(cause)}`, { cause });
    }
  }

  /** Waits for the link to open (`dequeue` takes the entry back out). */
  enqueue(entry: Queued): void {
    (this.waiting ??= new Set<Queued>()).add(entry);
  }

  /** Takes an entry out of the queue: it no longer waits for the link. */
  dequeue(entry: Queued): void {
    this.waiting?.delete(entry);
  }

  /**
   * Closes the link for good: fails what waits with the error `failure` makes (only if something waits), then ends `state$` with
   * `closed`, carrying `cause` when the close was not deliberate. `code` and `reason` go to
   * the other side when the link is open.
   */
  close(failure: () => RpcError, cause?: RpcError, code?: number, reason?: string): void {
    if (this.closing) return;
    this.closing = true;
    if (code !== undefined) this.connection?.close(code, reason);
    this.connection = undefined;
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    const waiting = [...(this.waiting ?? [])];
    // Cleared, not only dropped: a flush of the queue under way (in opened()) stops here.
    this.waiting?.clear();
    this.waiting = undefined;
    for (const entry of waiting) entry.fail(failure());
    this.closedBy = cause;
    this.stated(cause === undefined ? { status: 'closed' } : { status: 'closed', error: cause });
    this.states?.complete();
  }

  private opened(connection: Connection): void {
    this.connection = connection;
    this.lastInfo = connection.info;
    this.opens++;
    // What waited goes out before anyone who reacts to 'open' can send, to keep the order.
    // Each leaves the live queue as it goes: one that fails may end others, which then leave
    // it unsent.
    for (const entry of this.waiting ?? []) {
      this.waiting?.delete(entry);
      entry.send();
    }
    this.stated({ status: 'open', info: connection.info });
  }

  /** The link is gone: why, as an RpcError, an inferred clean end restated when `waiting` calls were left unanswered. */
  private lost(cause: unknown, waiting: number): RpcError {
    this.connection = undefined;
    const error =
      cause instanceof RpcError ? cause : new TransportError(`The transport failed: ${messageOf(cause)}`, { cause });
    return cutShort(error, waiting);
  }
}

/** The first state of every link: one object for all. */
const connecting: PeerState = Object.freeze({ status: 'connecting' });

/** The peer a link serves: where its frames go, and what it is told. */
export interface LinkOwner extends LinkListener {
  /** Told each time the link ends by itself (dropped, or could not open), with whether the peer will try again. */
  dropped(error: RpcError, reconnecting: boolean): void;
  /** How many calls wait for their answers: a 1000 close with some waiting is abnormal. */
  inFlight(): number;
}

/** Tells the connection that its links have ended for good. */
class LinksEnd implements LinkObserver {
  constructor(private readonly connection: PeerConnection) {}

  next(): void {
    // The connection came to use() already.
  }

  error(error: unknown): void {
    this.connection.ended(error);
  }

  complete(): void {
    // Links end by erroring.
  }
}
