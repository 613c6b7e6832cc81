import {
  defaultIfEmpty,
  isObservable,
  Subject,
  take,
  type Observable,
  type SchedulerLike,
  type Subscription,
} from 'rxjs';
import { ErrorCodes, ServerErrorCodes } from '../protocol/error-codes';
import { HandlerError, JsonRpcError, type RpcError } from '../protocol/errors';
import type { JsonRpcErrorObject, JsonRpcId, JsonRpcNotification, JsonRpcRequest } from '../protocol/messages';
import type { Handler, HandlerContext, HandlerRegistry, IncomingRequest } from './handlers';

/** An answer on its way out. Its id may be null when the request's was. */
export type Answer =
  | { readonly jsonrpc: '2.0'; readonly id: JsonRpcId | null; readonly result: unknown }
  | { readonly jsonrpc: '2.0'; readonly id: JsonRpcId | null; readonly error: JsonRpcErrorObject };

/** Builds an error answer. */
export function errorAnswer(id: JsonRpcId | null, code: number, message: string, data?: unknown): Answer {
  const error = data === undefined ? { code, message } : { code, message, data };
  return { jsonrpc: '2.0', id, error };
}

/** How the answering side is set up. */
export interface AnsweringSetup {
  readonly handlers: HandlerRegistry;
  /** Makes the context handed to the handler of one call. */
  readonly contextFor: (method: string, id: JsonRpcId | null | undefined) => HandlerContext;
  readonly report: (error: RpcError) => void;
  /** Milliseconds a request may take before it is answered with a timeout error; 0 for none. */
  readonly handlerTimeout: number;
  readonly scheduler: SchedulerLike;
}

/**
 * The answering side: runs the handler of each incoming call and turns what it returns
 * or throws into exactly one answer. Counts the requests being answered (to drain before
 * a graceful close) and keeps the handler Observables still running (to stop them).
 */
export class Answering {
  private readonly unhandled = new Subject<IncomingRequest>();
  /** How to abandon each call being answered, and each notification handler still running. */
  private readonly active = new Set<() => void>();
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];
  private stopped = false;

  /** Requests no handler serves, while someone subscribes; otherwise they get -32601. */
  readonly requests$: Observable<IncomingRequest> = this.unhandled.asObservable();

  constructor(private readonly setup: AnsweringSetup) {}

  /** How many requests are being answered now. */
  get answering(): number {
    return this.inFlight;
  }

  /** Answers `request` through `done`, once (not at all if the peer stops first). */
  answer(request: JsonRpcRequest, done: (answer: Answer) => void): void {
    const { id, method } = request;
    const handler = this.setup.handlers.get(method);
    if (handler === undefined && !this.unhandled.observed) {
      return done(errorAnswer(id, ErrorCodes.MethodNotFound, 'Method not found'));
    }
    this.inFlight++;
    let deadline: Subscription | undefined;
    // Assigned once the handler runs, but read by `finish`, which may run before that.
    // eslint-disable-next-line prefer-const
    let work: Subscription | undefined;
    let answered = false;
    /** Ends the call once: sends `answer`, or nothing when the call is abandoned. */
    const finish = (answer?: Answer) => {
      if (answered) return;
      answered = true;
      this.active.delete(abandon);
      deadline?.unsubscribe();
      work?.unsubscribe();
      this.settled();
      if (answer !== undefined && !this.stopped) done(answer);
    };
    const abandon = () => finish();
    this.active.add(abandon);
    const { handlerTimeout, scheduler } = this.setup;
    if (handlerTimeout > 0 && handlerTimeout < Infinity) {
      deadline = scheduler.schedule(() => {
        this.setup.report(
          new HandlerError(`Handler of ${method} (request ${String(id)}) timed out after ${handlerTimeout} ms`),
        );
        finish(errorAnswer(id, ServerErrorCodes.HandlerTimeout, `Request timed out after ${handlerTimeout} ms`));
      }, handlerTimeout);
    }
    if (handler === undefined) return this.unhandled.next(incomingRequest(request, finish));
    work = this.run(
      handler,
      method,
      id,
      request.params,
      (result) => finish({ jsonrpc: '2.0', id, result }),
      (error) => finish({ jsonrpc: '2.0', id, error }),
    );
    if (answered) work?.unsubscribe();
  }

  /** Runs the handler of a notification, if any; its result is ignored, its failure reported. */
  notice(notification: JsonRpcNotification): boolean {
    const handler = this.setup.handlers.get(notification.method);
    if (handler === undefined) return false;
    const ignore = () => undefined;
    const work = this.run(handler, notification.method, undefined, notification.params, ignore, ignore);
    if (work !== undefined) {
      const stop = () => work.unsubscribe();
      this.active.add(stop);
      work.add(() => this.active.delete(stop));
    }
    return true;
  }

  /** Resolves once no request is being answered. */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Gives up every call being answered, sending nothing (their link dropped: the caller is
   * gone): handler Observables are unsubscribed, deadlines cancelled, late results dropped.
   */
  abandon(): void {
    for (const cancel of [...this.active]) cancel();
  }

  /** Abandons everything and answers nothing more, for good. */
  stop(): void {
    this.stopped = true;
    this.abandon();
    this.unhandled.complete();
  }

  private settled(): void {
    if (--this.inFlight > 0 || this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Calls the handler and routes its outcome; returns the subscription of an Observable still running. */
  private run(
    handler: Handler,
    method: string,
    id: JsonRpcId | null | undefined,
    params: unknown,
    onResult: (result: unknown) => void,
    onError: (error: JsonRpcErrorObject) => void,
  ): Subscription | undefined {
    const context = this.setup.contextFor(method, id);
    const fail = (error: unknown) => {
      if (!this.stopped) onError(this.toErrorObject(error, context));
    };
    const succeed = (result: unknown) => {
      if (!this.stopped) onResult(result === undefined ? null : result);
    };
    let result: unknown;
    try {
      result = handler(params, context);
    } catch (error) {
      fail(error);
      return undefined;
    }
    if (isObservable(result)) {
      const subscription = result.pipe(take(1), defaultIfEmpty(null)).subscribe({ next: succeed, error: fail });
      return subscription.closed ? undefined : subscription;
    }
    if (isPromiseLike(result)) result.then(succeed, fail);
    else succeed(result);
    return undefined;
  }

  /** A JsonRpcError answers as itself; anything else answers -32603 and is reported, with no details sent. */
  private toErrorObject(error: unknown, context: HandlerContext): JsonRpcErrorObject {
    // A notification has nobody to answer, so even a JsonRpcError is only reported.
    if (error instanceof JsonRpcError && context.id !== undefined) return error.toJSON();
    const call = context.id === undefined ? 'notification' : `request ${String(context.id)}`;
    const detail = (error as { message?: unknown } | null)?.message ?? error;
    this.setup.report(
      new HandlerError(`Handler of ${context.method} (${call}) failed: ${String(detail)}`, { cause: error }),
    );
    return { code: ErrorCodes.InternalError, message: 'Internal error' };
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

function incomingRequest(request: JsonRpcRequest, answer: (answer: Answer) => void): IncomingRequest {
  const { id, method, params } = request;
  return {
    id,
    method,
    params,
    respond: (result) => answer({ jsonrpc: '2.0', id, result: result === undefined ? null : result }),
    respondError: (error) =>
      answer({ jsonrpc: '2.0', id, error: error instanceof JsonRpcError ? error.toJSON() : error }),
  };
}
