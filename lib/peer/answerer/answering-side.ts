import type { SchedulerLike } from 'rxjs';
import { HandlerError, type RpcError } from '../../protocol/errors';
import type { JsonRpcId, JsonRpcNotification, JsonRpcParams, JsonRpcRequest } from '../../protocol/messages';
import type { Feed } from '../../transports/feed';
import type { ConnectionInfo } from '../../transports/transport';
import type { Dialect } from '../dialect';
import type { HandlerContext, IncomingRequest, Peer } from '../peer';
import { Answering, type AnsweringSetup } from './answer';
import type { CallControl } from './call-control';
import { handlerContext, type HandlerContextSetup } from './handler-context';
import type { HandlerRegistry } from './handlers';
import { peerDefaults, type PeerOptions } from '../options';
import type { PeerHooks } from '../peer-hooks';

/** What an answering side reads of the peer (or the frame) it answers for. */
export interface AnsweringOwner {
  readonly session: Record<string, unknown>;
  readonly dialect: Dialect;
  readonly scheduler: SchedulerLike;
  /** The peer its handlers see as `context.peer`. */
  readonly peer: Peer;
  /** Its link, whose `info` its handlers see as `context.connection`. */
  readonly connection: { readonly info: ConnectionInfo | undefined };
  /** Sends a notification to the caller (progress). */
  notify(method: string, params?: JsonRpcParams): void;
  /** Reports a failure where the owner reports. */
  report(error: RpcError): void;
  /** `onHandlerError` hears each failure of a handler, after `report`; `onUnanswered` each request that ends with no answer. */
  readonly hooks?: Pick<PeerHooks, 'onHandlerError' | 'onUnanswered'>;
}

/**
 * The answering side of a peer, made at its first call (see `AnsweringOnDemand`): its
 * handlers, from `handlers`, run with contexts made from `owner`, under the limits,
 * concurrency and deadline of `options` (their defaults filled in); the requests no handler
 * serves go to `unhandled`.
 */
export function answeringSide(
  options: PeerOptions,
  handlers: HandlerRegistry,
  owner: AnsweringOwner,
  unhandled: Feed<IncomingRequest>,
): Answering {
  return new Answering(new SideSetup(options, handlers, owner, unhandled));
}

/**
 * The setup of an answering side and of its handlers' contexts, in one object of methods: a
 * server holds one per connection that was called, where object literals and closures cost
 * about 0.7 KB each.
 */
class SideSetup implements AnsweringSetup, HandlerContextSetup {
  readonly handlerTimeout: number;
  readonly concurrency: number;
  readonly maxCalls: number;
  readonly maxBytes: number;
  // Copies of the owner's, not getters: the answer path reads them on every call (getters cost W6 about 4%).
  readonly cancel: Dialect['cancel'];
  readonly scheduler: SchedulerLike;
  readonly session: Record<string, unknown>;
  readonly dialect: Dialect;

  constructor(
    options: PeerOptions,
    readonly handlers: HandlerRegistry,
    private readonly owner: AnsweringOwner,
    readonly unhandled: Feed<IncomingRequest>,
  ) {
    this.handlerTimeout = options.handlerTimeout ?? peerDefaults.handlerTimeout;
    this.concurrency = options.handlerConcurrency ?? peerDefaults.handlerConcurrency;
    this.maxCalls = options.maxAnswering ?? peerDefaults.maxAnswering;
    this.maxBytes = options.maxAnsweringBytes ?? peerDefaults.maxAnsweringBytes;
    this.cancel = owner.dialect.cancel;
    this.scheduler = owner.scheduler;
    this.session = owner.session;
    this.dialect = owner.dialect;
  }

  contextFor(call: JsonRpcRequest | JsonRpcNotification, control: CallControl): HandlerContext {
    return handlerContext(this, call, control);
  }

  report(error: RpcError): void {
    const { owner } = this;
    owner.report(error);
    if (error instanceof HandlerError) owner.hooks?.onHandlerError?.(error);
  }

  unanswered(id: JsonRpcId): void {
    this.owner.hooks?.onUnanswered?.(id);
  }

  notify(method: string, params?: JsonRpcParams): void {
    this.owner.notify(method, params);
  }

  peer(): Peer {
    return this.owner.peer;
  }

  connection(): ConnectionInfo | undefined {
    return this.owner.connection.info;
  }
}
