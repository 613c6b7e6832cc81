import type { JsonRpcParams } from '../protocol/messages';
import type { Peer } from './peer';

/** The members of a peer that are functions: each made at its first use. */
export type PeerFunctionName =
  'request$' | 'request' | 'notify' | 'notifications$' | 'handle' | 'handleAll' | 'report' | 'sendTogether' | 'close';

/** Sends a notification's frame written already, for `method` (see {@link PeerObject.notifyEncoded}). */
export interface EncodedSender {
  notifyEncoded(frame: string, method: string): void;
}

/** What the counts of a peer are read from. */
export interface PeerCounters {
  /** Its calls waiting for answers, if it ever made one. */
  readonly pendingIfAny: { readonly size: number } | undefined;
  /** Its side that answers the other one's calls, if it was ever made. */
  readonly answeringIfAny: { readonly answering: number } | undefined;
}

/** What a peer object is made from: its data members, its counts, and its functions on demand. */
export interface PeerInside extends PeerCounters, Omit<Peer, PeerFunctionName | 'pendingCount' | 'answeringCount'> {
  /** The member `name`: made at its first use, the same function after. */
  member<K extends PeerFunctionName>(name: K): Peer[K];
}

/**
 * The object `connect()` returns. A class, each member defined in one order, so that every
 * peer shares one hidden class: an object literal with getters is a dictionary in V8, about
 * 1.6 KiB a peer, which a server pays for each connection. Every member is own and
 * enumerable, as the peer always had: `const { request } = rpc` keeps working, and a spread
 * or a Proxy sees them all. The functions, streams and counts are getters, shared by every
 * peer: a function or stream is made when it is first read (a server's peer of an idle connection reads
 * `handle` alone), where a closure of each peer for each would cost about 60 bytes.
 */
export class PeerObject implements Peer {
  declare readonly session: Peer['session'];
  declare readonly dialect: Peer['dialect'];
  declare readonly scheduler: Peer['scheduler'];
  declare readonly timeout: Peer['timeout'];
  declare readonly requests$: Peer['requests$'];
  declare readonly foreign$: Peer['foreign$'];
  declare readonly incoming$: Peer['incoming$'];
  declare readonly state$: Peer['state$'];
  declare readonly trace$: Peer['trace$'];
  declare readonly errors$: Peer['errors$'];
  declare readonly request$: Peer['request$'];
  declare readonly request: Peer['request'];
  declare readonly notify: Peer['notify'];
  declare readonly notifications$: Peer['notifications$'];
  declare readonly handle: Peer['handle'];
  declare readonly handleAll: Peer['handleAll'];
  declare readonly report: Peer['report'];
  declare readonly sendTogether: Peer['sendTogether'];
  declare readonly close: Peer['close'];
  declare readonly pendingCount: number;
  declare readonly answeringCount: number;

  /**
   * `encoded`: how to send a notification's text as it is, when the peer's link carries
   * text (undefined for a link that hands objects over).
   */
  constructor(inside: PeerInside, encoded?: EncodedSender) {
    this.session = inside.session;
    this.dialect = inside.dialect;
    this.scheduler = inside.scheduler;
    this.timeout = inside.timeout;
    Object.defineProperty(this, insideKey, { value: inside });
    for (const [name, descriptor] of descriptors) Object.defineProperty(this, name, descriptor);
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

const insideKey = Symbol('inside');
const notifyKey = Symbol('notifyEncoded');

type Inside = { readonly [insideKey]: PeerInside };

const functionNames: readonly PeerFunctionName[] = [
  'request$',
  'request',
  'notify',
  'notifications$',
  'handle',
  'handleAll',
  'report',
  'sendTogether',
  'close',
];

/** The streams, each made when first read (most of a server's peers are never listened to). */
const streamNames = ['requests$', 'foreign$', 'incoming$', 'state$', 'trace$', 'errors$'] as const;

/** A getter of a member, and for the functions and streams a setter; shared by every peer. */
type Accessor = readonly [name: string, get: (this: Inside) => unknown, set?: (this: object, value: unknown) => void];

/**
 * Replaces member `name` of one peer with `value`, as a plain property: the functions and
 * streams were writable before they were getters, and test doubles (`jest.spyOn`, an
 * assignment) replace them.
 */
function replacing(name: string): (this: object, value: unknown) => void {
  return function (this: object, value: unknown) {
    Object.defineProperty(this, name, { value, writable: true, enumerable: true, configurable: true });
  };
}

/** One getter of each member for every peer, in a fixed order: one hidden class, no closures each. */
const accessors: readonly Accessor[] = [
  ...functionNames.map((name): Accessor => [
    name,
    function (this: Inside) {
      return this[insideKey].member(name);
    },
    replacing(name),
  ]),
  ...streamNames.map((name): Accessor => [
    name,
    function (this: Inside) {
      return this[insideKey][name];
    },
    replacing(name),
  ]),
  [
    'pendingCount',
    function (this: Inside) {
      return this[insideKey].pendingIfAny?.size ?? 0;
    },
  ],
  [
    'answeringCount',
    function (this: Inside) {
      return this[insideKey].answeringIfAny?.answering ?? 0;
    },
  ],
];

/** The accessors' descriptors, made once: one object per member and peer would be about 1 KB a peer to collect. */
const descriptors: readonly (readonly [string, PropertyDescriptor])[] = accessors.map(([name, get, set]) => [
  name,
  { get, set, enumerable: true, configurable: set !== undefined },
]);
