import {
  BehaviorSubject,
  defer,
  distinctUntilChanged,
  of,
  switchMap,
  tap,
  type Observable,
  type Subscription,
} from 'rxjs';
import { RpcError, TransportError } from '../protocol/errors';
import type { Connection, ConnectionInfo, Frame, Transport } from '../transports/transport';
import type { PeerState } from './state';

/** Something waiting for the link to open: a call or a notification. */
export interface Queued {
  /** Called once the link is open, in the order things were queued. */
  send(): void;
  /** Called if the link closes for good before it opened. */
  fail(error: RpcError): void;
}

/**
 * The peer's link: opens the transport once, routes incoming frames to `onFrame`, keeps
 * what waits for the link in order, and publishes the state.
 */
export class PeerConnection {
  private readonly state = new BehaviorSubject<PeerState>({ status: 'connecting' });
  private readonly waiting = new Set<Queued>();
  private subscription: Subscription | undefined;
  private connection: Connection | undefined;
  private lastInfo: ConnectionInfo | undefined;
  private closing = false;

  /** The state, replayed to each new subscriber; completes after `closed`. */
  readonly state$: Observable<PeerState> = defer(() =>
    // A completed BehaviorSubject replays nothing: give late subscribers the final state.
    this.state.value.status === 'closed' ? of(this.state.value) : this.state.pipe(distinctUntilChanged()),
  );

  constructor(private readonly transport: Transport) {}

  /**
   * Opens the transport, once. `onFrame` gets every incoming frame; `onLost` is called
   * once if the link ends by itself (dropped, or could not open).
   */
  start(onFrame: (frame: Frame) => void, onLost: (error: RpcError) => void): void {
    // Lifetime: one transport subscription for the whole life of the peer.
    this.subscription = this.transport
      .connect()
      .pipe(
        tap((connection) => this.opened(connection)),
        switchMap((connection) => connection.frames$),
      )
      .subscribe({ next: onFrame, error: (error: unknown) => onLost(this.lost(error)) });
  }

  /** Facts about the current link, or the last one once it has closed. */
  get info(): ConnectionInfo | undefined {
    return this.lastInfo;
  }

  get isOpen(): boolean {
    return this.connection !== undefined;
  }

  /** True from the moment `close()` begins, so that a transport failing inside it cannot close twice. */
  get isClosed(): boolean {
    return this.closing;
  }

  /** Writes a frame now. Only call while `isOpen`; throws `TransportError` if the link refuses it. */
  write(frame: string): void {
    try {
      this.connection!.send(frame);
    } catch (cause) {
      if (cause instanceof RpcError) throw cause;
      const detail = (cause as { message?: unknown } | null)?.message ?? cause;
      throw new TransportError(`Could not send a frame: ${String(detail)}`, { cause });
    }
  }

  /** Waits for the link to open; returns a function that takes the entry out of the queue. */
  enqueue(entry: Queued): () => void {
    this.waiting.add(entry);
    return () => this.waiting.delete(entry);
  }

  /**
   * Closes the link for good: fails what waits with `failure`, then ends `state$` with
   * `closed`, carrying `cause` when the close was not deliberate. `code` and `reason` go to
   * the other side when the link is open.
   */
  close(failure: RpcError, cause?: RpcError, code?: number, reason?: string): void {
    if (this.closing) return;
    this.closing = true;
    if (code !== undefined) this.connection?.close(code, reason);
    this.connection = undefined;
    this.subscription?.unsubscribe();
    const waiting = [...this.waiting];
    this.waiting.clear();
    for (const entry of waiting) entry.fail(failure);
    this.state.next(cause === undefined ? { status: 'closed' } : { status: 'closed', error: cause });
    this.state.complete();
  }

  private opened(connection: Connection): void {
    this.connection = connection;
    this.lastInfo = connection.info;
    // What waited goes out before anyone who reacts to 'open' can send, to keep the order.
    const waiting = [...this.waiting];
    this.waiting.clear();
    for (const entry of waiting) entry.send();
    this.state.next({ status: 'open', info: connection.info });
  }

  private lost(cause: unknown): RpcError {
    this.connection = undefined;
    return cause instanceof RpcError ? cause : new TransportError(`The transport failed: ${String(cause)}`, { cause });
  }
}
