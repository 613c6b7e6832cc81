import type { SchedulerLike } from 'rxjs';
import { ErrorCodes, ServerErrorCodes } from '../../protocol/error-codes';
import type { RpcError } from '../../protocol/errors';
import type { JsonRpcId, JsonRpcNotification, JsonRpcRequest } from '../../protocol/messages';
import { errorAnswer, type Answer } from './answer-message';
import { AnsweringLimits, type FrameCost } from './answering-limits';
import type { CallControl } from './call-control';
import type { Dialect } from '../dialect';
import type { HandlerRegistry } from './handlers';
import type { IncomingRequest } from '../peer';
import type { HandlerContext } from '../peer';
import { HandlerDeadline, idOf, Incoming, incomingRequest } from './incoming-call';
import { LinkedSet } from '../collections/linked-set';
import { runHandler } from './run-handler';
import { Turns } from './turns';
import { YoungMap } from '../collections/young-map';
import type { Feed } from '../../transports/feed';
import { Deadlines } from '../collections/deadlines';

/** How the answering side is set up. */
export interface AnsweringSetup {
  readonly handlers: HandlerRegistry;
  /** Makes the context handed to the handler of one call. */
  contextFor(call: JsonRpcRequest | JsonRpcNotification, control: CallControl): HandlerContext;
  report(error: RpcError): void;
  /** Milliseconds a handler may take before its call is given up (a request is answered -32001); 0 for none. */
  readonly handlerTimeout: number;
  /** How many handlers (of requests and notifications) may run at once; the rest wait in order. */
  readonly concurrency: number;
  /** How many calls may be handled at once, running or waiting; past it, calls are refused. */
  readonly maxCalls: number;
  /** The total size of the frames whose calls are being handled; past it, calls are refused. */
  readonly maxBytes: number;
  /** How callers cancel calls, in this peer's dialect. */
  readonly cancel: Dialect['cancel'];
  readonly scheduler: SchedulerLike;
  /** Where the requests no handler serves go, while someone subscribes (the peer's `requests$`). */
  readonly unhandled: Feed<IncomingRequest>;
  /** Hears the id of each request that ends with no answer (cancelled, in a dialect that answers none). */
  unanswered?(id: JsonRpcId): void;
}

/**
 * The answering side: runs the handler of each incoming call (requests and notifications
 * alike), at most `concurrency` at a time and each within `handlerTimeout`, refuses calls
 * past its limits, and turns what a request's handler returns or throws into exactly one
 * answer. Knows every call being answered, to cancel it when its caller asks, to drain
 * before a graceful close, and to stop them all when the link or the peer goes away.
 */
export class Answering {
  private readonly unhandled: Feed<IncomingRequest>;
  /** Requests being answered (running or waiting). */
  private readonly active = new LinkedSet<Incoming>();
  /** The same by id, to cancel them: kept only in a dialect whose callers cancel, from the first request. */
  private byId: YoungMap<JsonRpcId, Incoming> | undefined;
  /** The deadlines of handlers still running (made at the first that does not finish at once). */
  private deadlines: Deadlines | undefined;
  /** Notifications being handled (running or waiting). */
  private readonly notices = new LinkedSet<Incoming>();
  private readonly limits: AnsweringLimits;
  private readonly turns: Turns<Incoming>;
  private idleWaiters: (() => void)[] = [];
  private stopped = false;

  constructor(private readonly setup: AnsweringSetup) {
    this.unhandled = setup.unhandled;
    this.limits = new AnsweringLimits(setup.maxCalls, setup.maxBytes, setup);
    this.turns = new Turns<Incoming>(setup.concurrency, this);
  }

  /** How many requests are being answered now (running or waiting for their turn). */
  get answering(): number {
    return this.active.size;
  }

  /**
   * Answers `request`, which came in `frame`, through `done`, once: with its answer, or with
   * undefined when it ends with none (cancelled in a dialect whose cancelled calls get no
   * answer); `done` is not called at all for a call abandoned with its link.
   */
  answer(request: JsonRpcRequest, done: (answer: Answer | undefined) => void, frame: FrameCost | number): void {
    const { id, method } = request;
    if (this.setup.handlers.get(method) === undefined && !this.unhandled.observed) {
      return done(errorAnswer(id, ErrorCodes.MethodNotFound, 'Method not found'));
    }
    if (!this.limits.admit(frame, request)) {
      return done(errorAnswer(id, ServerErrorCodes.LimitExceeded, 'Too many calls in progress'));
    }
    const incoming = new Incoming(request, frame, done, this);
    this.active.add(incoming);
    if (id !== null && this.setup.cancel !== undefined) (this.byId ??= new YoungMap()).set(id, incoming);
    this.turns.enter(incoming);
  }

  /**
   * Runs the handler of a notification, if any, under the same limits, concurrency and
   * deadline as requests; its result is ignored, its failure reported. The dialect's cancel
   * notification cancels the call it names. Returns whether a handler took it.
   */
  notice(notification: JsonRpcNotification, frame: FrameCost | number): boolean {
    const cancel = this.setup.cancel;
    if (cancel !== undefined && notification.method === cancel.method) this.cancel(cancel.idOf(notification.params));
    if (this.setup.handlers.get(notification.method) === undefined) return false;
    if (!this.limits.admit(frame, notification)) return true;
    const incoming = new Incoming(notification, frame, undefined, this);
    this.notices.add(incoming);
    this.turns.enter(incoming);
    return true;
  }

  /**
   * The caller cancelled call `id`: its signal aborts, its work stops, and it is answered as
   * the dialect says (or not at all). An unknown or finished id is ignored.
   */
  cancel(id: unknown): void {
    // the dialect read `id` from the cancel's params: a lookup of anything else finds nothing
    const incoming = this.byId?.get(id as JsonRpcId);
    if (incoming === undefined) return;
    incoming.control.abort('cancelled by the caller');
    const answer = this.setup.cancel?.answer;
    // found above, so it is the id of a call being answered
    this.end(incoming, answer && errorAnswer(id as JsonRpcId, answer.code, answer.message));
  }

  /** Resolves once no request is being answered. */
  idle(): Promise<void> {
    if (this.active.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Gives up every call being handled, sending nothing (their link dropped: the caller is
   * gone): signals abort, handler Observables are unsubscribed, deadlines cancelled.
   */
  abandon(): void {
    const all = [...this.active.toArray(), ...this.notices.toArray()];
    // Waiting calls go first: a running call that ends would otherwise start them.
    for (const incoming of all) if (!incoming.started) this.end(incoming, undefined, true);
    for (const incoming of all) {
      incoming.control.abort('the link to the caller was lost');
      this.end(incoming, undefined, true);
    }
  }

  /** Abandons everything and answers nothing more, for good. */
  stop(): void {
    this.stopped = true;
    this.abandon();
    this.unhandled.complete();
  }

  /** Starts one call's handler (or hands a request to requests$), with its deadline: what `Turns` calls. */
  begin(incoming: Incoming): void {
    incoming.started = true;
    const { call } = incoming;
    const { scheduler, handlerTimeout } = this.setup;
    const started = scheduler.now();
    const handler = this.setup.handlers.get(call.method);
    if (handler === undefined) {
      // Only a request gets here: a notification without a handler is never taken.
      this.unhandled.next(incomingRequest(call as JsonRpcRequest, (answer) => this.end(incoming, answer)));
    } else {
      const { setup } = this;
      incoming.work = runHandler(handler, call.params, setup.contextFor(call, incoming.control), incoming, setup);
    }
    // A handler that answered at once has nothing left to stop and needs no deadline (it
    // could not have been stopped while it ran); one still running gets one from its start.
    if (incoming.ended) incoming.stop();
    else if (handlerTimeout > 0 && handlerTimeout < Infinity) {
      const deadlines = (this.deadlines ??= new Deadlines(scheduler));
      incoming.deadline = new HandlerDeadline(deadlines, this.setup, incoming, this, started);
    }
  }

  /** Ends a call once (its handler's outcome and its deadline call this): hands a request's `done` its answer (undefined: none), unless abandoned; the next call may run. */
  end(incoming: Incoming, answer?: Answer, abandoned = false): void {
    if (incoming.ended) return;
    incoming.ended = true;
    incoming.stop();
    this.limits.release(incoming.cost);
    const { done } = incoming;
    let id: JsonRpcId | null | undefined;
    if (done === undefined) this.notices.delete(incoming);
    else {
      this.active.delete(incoming);
      id = idOf(incoming);
      if (id !== null && id !== undefined && this.byId?.get(id) === incoming) this.byId.delete(id);
    }
    // The answer goes before the next call starts, so a call that waited answers after this one.
    if (!abandoned && done !== undefined && !this.stopped) {
      if (answer === undefined && id !== null && id !== undefined) this.setup.unanswered?.(id);
      done(answer);
    }
    this.turns.leave(incoming, incoming.started);
    this.settled();
  }

  private settled(): void {
    if (this.active.size > 0 || this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
