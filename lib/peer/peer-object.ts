import type { JsonRpcParams } from '../protocol/messages';
import type { Peer } from './peer';

/** A peer's members but its counts, which are read when asked. */
export type PeerMembers = Omit<Peer, 'pendingCount' | 'answeringCount'>;

/** Sends a notification's frame written already, for `method` (see {@link PeerObject.notifyEncoded}). */
export interface EncodedSender {
  notifyEncoded(frame: string, method: string): void;
}

/** What the counts of a peer are read from. */
export interface PeerCounters {
  /** Its calls waiting for answers. */
  readonly pending: { readonly size: number };
  /** Its side that answers the other one's calls. */
  readonly answering: { readonly answering: number };
}

/**
 * The object `connect()` returns. A class, each member assigned in one order, so that every
 * peer shares one hidden class: an object literal with getters is a dictionary in V8, about
 * 1.6 KiB a peer, which a server pays for each connection. The members stay own properties:
 * `const { request } = rpc` keeps working, and a spread or a Proxy sees the counts.
 */
export class PeerObject implements Peer {
  readonly request$: Peer['request$'];
  readonly request: Peer['request'];
  readonly notify: Peer['notify'];
  readonly notifications$: Peer['notifications$'];
  readonly handle: Peer['handle'];
  readonly handleAll: Peer['handleAll'];
  readonly requests$: Peer['requests$'];
  readonly foreign$: Peer['foreign$'];
  readonly incoming$: Peer['incoming$'];
  readonly state$: Peer['state$'];
  readonly trace$: Peer['trace$'];
  readonly errors$: Peer['errors$'];
  readonly session: Peer['session'];
  readonly dialect: Peer['dialect'];
  readonly scheduler: Peer['scheduler'];
  readonly timeout: Peer['timeout'];
  readonly report: Peer['report'];
  readonly sendTogether: Peer['sendTogether'];
  readonly close: Peer['close'];
  // Own, enumerable getters as the peer always had (a spread or a Proxy sees them), defined
  // with shared functions in a fixed order: one hidden class for every peer, no closures each.
  declare readonly pendingCount: number;
  declare readonly answeringCount: number;

  /**
   * `encoded`: how to send a notification's text as it is, when the peer's link carries
   * text (undefined for a link that hands objects over).
   */
  constructor(members: PeerMembers, counters: PeerCounters, encoded?: EncodedSender) {
    this.request$ = members.request$;
    this.request = members.request;
    this.notify = members.notify;
    this.notifications$ = members.notifications$;
    this.handle = members.handle;
    this.handleAll = members.handleAll;
    this.requests$ = members.requests$;
    this.foreign$ = members.foreign$;
    this.incoming$ = members.incoming$;
    this.state$ = members.state$;
    this.trace$ = members.trace$;
    this.errors$ = members.errors$;
    this.session = members.session;
    this.dialect = members.dialect;
    this.scheduler = members.scheduler;
    this.timeout = members.timeout;
    this.report = members.report;
    this.sendTogether = members.sendTogether;
    this.close = members.close;
    Object.defineProperty(this, countersKey, { value: counters });
    Object.defineProperty(this, 'pendingCount', { get: pendingCount, enumerable: true });
    Object.defineProperty(this, 'answeringCount', { get: answeringCount, enumerable: true });
    Object.defineProperty(this, notifyKey, { value: encoded });
  }

  /**
   * Notifies `peer` of `method` with `params`, whose frame, as the peer's codec writes it, is
   * `frame`: sent as it is, not written again (a broadcast writes it once for every peer). A
   * peer that is not one of these, or whose link hands objects over, is notified as usual.
   * Throws as `notify()` does for a closed peer.
   */
  static notifyEncoded(peer: Peer, frame: string, method: string, params?: JsonRpcParams): void {
    // A symbol-keyed property, not a #private field: read once per client of a broadcast, it must be a plain load.
    const sender = (peer as { readonly [notifyKey]?: EncodedSender })[notifyKey];
    if (sender !== undefined) return sender.notifyEncoded(frame, method);
    peer.notify(method, params);
  }
}

const countersKey = Symbol('counters');
const notifyKey = Symbol('notifyEncoded');

function pendingCount(this: { readonly [countersKey]: PeerCounters }): number {
  return this[countersKey].pending.size;
}

function answeringCount(this: { readonly [countersKey]: PeerCounters }): number {
  return this[countersKey].answering.answering;
}
