import { asyncScheduler, type SchedulerLike } from 'rxjs';
import type { RpcError } from '../protocol/errors';
import type { JsonRpcId, JsonRpcParams } from '../protocol/messages';
import type { Feed } from '../transports/feed';
import type { Transport } from '../transports/transport';
import type { Answering } from './answerer/answer';
import { AnsweringOnDemand, type AnsweringMaker } from './answerer/answering-on-demand';
import { answeringSide, type AnsweringOwner } from './answerer/answering-side';
import { HandlerRegistry } from './answerer/handlers';
import type { CallContext } from './caller/call';
import { createCalls, type Calls } from './caller/calls';
import { intercept } from './caller/intercept';
import { PendingCalls } from './caller/pending';
import { Slots } from './caller/slots';
import { Deadlines } from './collections/deadlines';
import { quietGeneric, type Dialect } from './dialect';
import { batchingOf, heartbeatOf, reconnectOf } from './feature-values';
import { Dispatcher, type DispatchTargets } from './incoming/dispatch';
import { IncomingStream } from './incoming/incoming';
import { NotificationRouter } from './incoming/notifications';
import { PeerConnection, type LinkOwner } from './link/connection';
import { asIs } from './link/encode';
import type { Outbox } from './link/outbox';
import {
  peerDefaults,
  type Batching,
  type CancelNotification,
  type CloseOptions,
  type Codec,
  type LenientOptions,
  type PeerOptions,
} from './options';
import { Outgoing, type OutgoingSetup } from './outgoing';
import type { IncomingRequest, Peer } from './peer';
import { peerFunction, type FunctionParts } from './peer-functions';
import type { PeerHooks } from './peer-hooks';
import { closePeer, peerDropped } from './peer-ending';
import { PeerObject, type PeerFunctionName, type PeerInside } from './peer-object';
import { Tracer } from './trace';

/**
 * One peer's parts and what ties them together, as one object: it is the calls' context, the
 * sending side's setup and the dispatcher's targets, and makes the peer's functions when they
 * are first used. A server holds a peer per connection, most of them idle: a closure and a
 * setup object of each peer for each of these would cost about 2 KB.
 */
export class PeerParts
  implements
    CallContext,
    OutgoingSetup,
    DispatchTargets,
    PeerInside,
    AnsweringMaker,
    AnsweringOwner,
    LinkOwner,
    FunctionParts
{
  // Declared, not defined: assigned once in the constructor (no field list in the bundle, no write of undefined first).
  declare readonly scheduler: SchedulerLike;
  declare readonly session: Record<string, unknown>;
  declare readonly dialect: Dialect;
  declare readonly codec: Codec | undefined;
  declare readonly decode: ((text: string) => unknown) | undefined;
  readonly tracer = new Tracer();
  declare readonly handlers: HandlerRegistry;
  declare readonly connection: PeerConnection;
  declare readonly batching: Batching | undefined;
  declare readonly notificationQueue: number;
  declare readonly maxAnswerSize: number;
  declare readonly maxPendingAnswerBytes: number;
  declare readonly timeout: number;
  declare readonly cancel: CancelNotification | undefined;
  declare readonly slots: Slots | undefined;
  declare readonly binaryFrames: 'report' | 'utf8';
  declare readonly maxBatchSize: number;
  declare readonly lenient: LenientOptions;
  declare readonly peer: PeerObject;
  declare readonly receiver: Dispatcher;
  /** The last id of the default sequence (`nextId`): a number, not a closure of each peer. */
  private lastId = 0;
  /** The peer's functions made so far (see `member`). */
  private made: { [K in PeerFunctionName]?: Peer[K] } | undefined;
  private madeCalls: Calls | undefined;
  /**
   * Its pending calls, made at its first call (most of a server's peers make none): an incoming
   * batch has none to match otherwise. Public to be read without being made; set here alone.
   */
  pendingIfAny: PendingCalls | undefined;
  private madeDeadlines: Deadlines | undefined;
  // Made at first use, as the pending table: a server's idle connection sends, receives and is called for
  // nothing. Public to be read without being made (the peer's end stops only what exists); set here alone.
  answersIfAny: Outgoing | undefined;
  answeringIfAny: AnsweringOnDemand | undefined;
  notificationsIfAny: NotificationRouter | undefined;
  incomingIfAny: IncomingStream | undefined;

  constructor(
    transport: Transport,
    private readonly options: PeerOptions,
    readonly hooks: PeerHooks,
  ) {
    const scheduler = (this.scheduler = options.scheduler ?? asyncScheduler);
    this.session = hooks.session ?? options.session ?? {};
    this.handlers = new HandlerRegistry(hooks.methods);
    // Without a dialect: the generic progress, and no cancel notification unless asked.
    this.dialect = options.dialect ?? quietGeneric();
    const textCodec = options.codec;
    // A transport that does not serialize is handed the messages themselves: no codec writes them.
    this.codec = transport.serialize === false ? asIs : textCodec;
    // Text that comes on such a link (a Connection.send() of the user's) is still read as usual.
    this.decode = textCodec && ((text) => textCodec.decode(text));
    this.connection = new PeerConnection(transport, scheduler);
    this.batching = batchingOf(options.batching);
    this.notificationQueue = options.notificationQueue ?? peerDefaults.notificationQueue;
    this.maxAnswerSize = options.maxAnswerSize ?? peerDefaults.maxAnswerSize;
    this.maxPendingAnswerBytes = options.maxAnsweringBytes ?? peerDefaults.maxAnsweringBytes;
    this.timeout = options.timeout ?? peerDefaults.timeout;
    this.cancel = options.cancel ?? this.dialect.cancel;
    const requestConcurrency = options.requestConcurrency ?? peerDefaults.requestConcurrency;
    this.slots = requestConcurrency < Infinity ? new Slots(requestConcurrency) : undefined;
    this.binaryFrames = options.binaryFrames ?? peerDefaults.binaryFrames;
    this.maxBatchSize = options.maxBatchSize ?? peerDefaults.maxBatchSize;
    this.lenient = options.lenient ?? strict;
    // A broadcast's text goes out as it is only on a link that carries text.
    this.peer = new PeerObject(this, this.codec === asIs ? undefined : this);
    this.receiver = new Dispatcher(this);
    this.connection.start(
      this,
      reconnectOf(options.reconnect),
      options.connectTimeout ?? peerDefaults.connectTimeout,
      // Heartbeats skip the concurrency limit: slow calls must not make a live link look dead.
      heartbeatOf(options.heartbeat, this, scheduler),
    );
  }

  /** The calls of its own waiting for answers. */
  get pending(): PendingCalls {
    return (this.pendingIfAny ??= new PendingCalls(this.answersIfAny?.sentBeforeCalls()));
  }

  /** The deadlines of its calls. */
  get deadlines(): Deadlines {
    return (this.madeDeadlines ??= new Deadlines(this.scheduler));
  }

  /** The sending side: the outbox for calls, notifications and answers. */
  get answers(): Outgoing {
    return (this.answersIfAny ??= new Outgoing(this));
  }

  /** The side that answers the other one's calls (its parts are made at the first call: most peers are never called). */
  get answering(): AnsweringOnDemand {
    return (this.answeringIfAny ??= this.born(new AnsweringOnDemand(this.handlers, this), stop));
  }

  /** Incoming notifications, by method. */
  get notifications(): NotificationRouter {
    return (this.notificationsIfAny ??= this.born(new NotificationRouter(), complete));
  }

  /** Every incoming message, classified (`incoming$`). */
  get incoming(): IncomingStream {
    return (this.incomingIfAny ??= this.born(new IncomingStream(), complete));
  }

  /** `part`, ended at once when made first after the peer closed: what it answers or streams ends as the rest did. */
  private born<T>(part: T, end: (part: T) => void): T {
    if (this.connection.isClosed) end(part);
    return part;
  }

  get outboxIfAny(): Outbox | undefined {
    return this.answersIfAny?.outbox;
  }

  /** Sends a broadcast's text as it is (see `PeerObject.notifyEncoded`). */
  notifyEncoded(frame: string, method: string): void {
    this.answers.notifyEncoded(frame, method);
  }

  /** The link, as the dispatcher names it. */
  get link(): PeerConnection {
    return this.connection;
  }

  get outbox(): Outbox {
    return this.answers.outbox;
  }

  get requests$(): Peer['requests$'] {
    return this.answering.requests$;
  }

  get foreign$(): Peer['foreign$'] {
    return this.notifications.foreign$;
  }

  /** The id of the next call: the `nextId` option's, or 1, 2, 3... */
  nextId(): JsonRpcId {
    const given = this.options.nextId;
    return given === undefined ? ++this.lastId : given();
  }

  /** Sends a notification now or when the link opens (see `Peer.notify`). */
  notify(method: string, params?: JsonRpcParams): void {
    this.answers.notify(method, params);
  }

  /** Reports to `errors$` and `trace$`: one method for every part that reports. */
  report(error: RpcError): void {
    this.tracer.report(error);
  }

  get incoming$(): Peer['incoming$'] {
    return this.incoming.incoming$;
  }

  get state$(): Peer['state$'] {
    return this.connection.state$;
  }

  get trace$(): Peer['trace$'] {
    return this.tracer.trace$;
  }

  get errors$(): Peer['errors$'] {
    return this.tracer.errors$;
  }

  /** Calls written and waiting, heartbeats aside: those a clean-looking end leaves unanswered. */
  inFlight(): number {
    const pending = this.pendingIfAny;
    // No outbox, nothing held back: the table may exist without one (an answer nobody waited for makes it).
    return pending === undefined ? 0 : pending.inFlight(this.outboxIfAny?.heldIds() ?? new Set());
  }

  member<K extends PeerFunctionName>(name: K): Peer[K] {
    const made = (this.made ??= {});
    return (made[name] ??= peerFunction(this, name));
  }

  makeAnswering(unhandled: Feed<IncomingRequest>): Answering {
    return answeringSide(this.options, this.handlers, this, unhandled);
  }

  /** The calling side, made at the first call. */
  calls(): Calls {
    return (this.madeCalls ??= intercept(createCalls(this), this.options.interceptors));
  }

  /** `Peer.close`. */
  close(options?: CloseOptions): Promise<void> {
    return closePeer(this, options);
  }

  /** A link that ended by itself: what was in flight on it fails now; the peer closes unless it reconnects. */
  dropped(error: RpcError, reconnecting: boolean): void {
    peerDropped(this, error, reconnecting);
  }
}

const stop = (part: AnsweringOnDemand) => part.stop();
const complete = (part: { complete(): void }) => part.complete();

/** No lenience: one object for every peer that asks for none (its type is read-only). */
const strict: LenientOptions = {};
