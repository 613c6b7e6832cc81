import { Subject, type Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { ErrorCodes, ServerErrorCodes } from '../protocol/error-codes';
import { HandlerError, JsonRpcError, type RpcError } from '../protocol/errors';
import type { JsonRpcErrorObject, JsonRpcId, JsonRpcNotification, JsonRpcRequest } from '../protocol/messages';
import type { Dialect } from './dialect';
import type { HandlerContext, HandlerRegistry, IncomingRequest } from './handlers';
import { runHandler } from './run-handler';

/** An answer on its way out. Its id may be null when the request's was. */
export type Answer =
  | { readonly jsonrpc: '2.0'; readonly id: JsonRpcId | null; readonly result: unknown }
  | { readonly jsonrpc: '2.0'; readonly id: JsonRpcId | null; readonly error: JsonRpcErrorObject };

/** Builds an error answer. */
export function errorAnswer(id: JsonRpcId | null, code: number, message: string, data?: unknown): Answer {
  const error = data === undefined ? { code, message } : { code, message, data };
  return { jsonrpc: '2.0', id, error };
}

/** The cancellation of one call being answered, handed to its context. */
export class CallControl {
  private controller: AbortController | undefined;

  /** Aborted when the caller cancels the call or it is abandoned; made on first use. */
  get signal(): AbortSignal {
    return (this.controller ??= new AbortController()).signal;
  }

  abort(reason: string): void {
    this.controller?.abort(new Error(reason));
  }
}

/** How the answering side is set up. */
export interface AnsweringSetup {
  readonly handlers: HandlerRegistry;
  /** Makes the context handed to the handler of one call. */
  readonly contextFor: (call: JsonRpcRequest | JsonRpcNotification, control: CallControl) => HandlerContext;
  readonly report: (error: RpcError) => void;
  /** Milliseconds a request may take before it is answered with a timeout error; 0 for none. */
  readonly handlerTimeout: number;
  /** How many requests may run at once; the rest wait in order. */
  readonly concurrency: number;
  /** How callers cancel calls, in this peer's dialect. */
  readonly cancel: Dialect['cancel'];
  readonly scheduler: SchedulerLike;
}

/** One call being answered (or waiting for its turn). */
interface Active {
  readonly id: JsonRpcId | null;
  readonly control: CallControl;
  /** Ends the call once: sends `answer`, or nothing. */
  finish(answer?: Answer): void;
}

/**
 * The answering side: runs the handler of each incoming call, at most `concurrency` at a
 * time, and turns what it returns or throws into exactly one answer. Knows every call being
 * answered, to cancel it when its caller asks, to drain before a graceful close, and to
 * stop them all when the link or the peer goes away.
 */
export class Answering {
  private readonly unhandled = new Subject<IncomingRequest>();
  private readonly active = new Set<Active>();
  private readonly byId = new Map<JsonRpcId, Active>();
  private readonly waiting: (() => void)[] = [];
  private readonly notificationWork = new Set<Subscription>();
  private running = 0;
  private idleWaiters: (() => void)[] = [];
  private stopped = false;

  /** Requests no handler serves, while someone subscribes; otherwise they get -32601. */
  readonly requests$: Observable<IncomingRequest> = this.unhandled.asObservable();

  constructor(private readonly setup: AnsweringSetup) {}

  /** How many requests are being answered now (running or waiting for their turn). */
  get answering(): number {
    return this.active.size;
  }

  /** Answers `request` through `done`, once (not at all if it is abandoned first). */
  answer(request: JsonRpcRequest, done: (answer: Answer) => void): void {
    const { id, method } = request;
    if (this.setup.handlers.get(method) === undefined && !this.unhandled.observed) {
      return done(errorAnswer(id, ErrorCodes.MethodNotFound, 'Method not found'));
    }
    let started = false;
    let answered = false;
    let stop: (() => void) | undefined;
    const active: Active = {
      id,
      control: new CallControl(),
      finish: (answer) => {
        if (answered) return;
        answered = true;
        stop?.();
        this.active.delete(active);
        if (id !== null && this.byId.get(id) === active) this.byId.delete(id);
        if (started) this.ranOut();
        this.settled();
        if (answer !== undefined && !this.stopped) done(answer);
      },
    };
    this.active.add(active);
    if (id !== null) this.byId.set(id, active);
    const start = () => {
      if (answered) return;
      started = true;
      this.running++;
      const stopWork = this.start(request, active);
      // A handler that answered at once has nothing left to stop, not even its deadline.
      if (answered) stopWork();
      else stop = stopWork;
    };
    if (this.running < this.setup.concurrency) start();
    else this.waiting.push(start);
  }

  /**
   * Runs the handler of a notification, if any; its result is ignored, its failure
   * reported. The dialect's cancel notification cancels the call it names.
   */
  notice(notification: JsonRpcNotification): boolean {
    const cancel = this.setup.cancel;
    if (cancel !== undefined && notification.method === cancel.method) this.cancel(cancel.idOf(notification.params));
    const handler = this.setup.handlers.get(notification.method);
    if (handler === undefined) return false;
    const ignore = () => undefined;
    const context = this.setup.contextFor(notification, new CallControl());
    const work = runHandler(
      handler,
      notification.params,
      context,
      { result: ignore, error: ignore },
      this.setup.report,
    );
    if (work !== undefined) {
      this.notificationWork.add(work);
      work.add(() => this.notificationWork.delete(work));
    }
    return true;
  }

  /**
   * The caller cancelled call `id`: its signal aborts, its work stops, and it is answered as
   * the dialect says (or not at all). An unknown or finished id is ignored.
   */
  cancel(id: unknown): void {
    const active = this.byId.get(id as JsonRpcId);
    if (active === undefined) return;
    active.control.abort('cancelled by the caller');
    const answer = this.setup.cancel?.answer;
    active.finish(answer && errorAnswer(active.id, answer.code, answer.message));
  }

  /** Resolves once no request is being answered. */
  idle(): Promise<void> {
    if (this.active.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Gives up every call being answered, sending nothing (their link dropped: the caller is
   * gone): signals abort, handler Observables are unsubscribed, deadlines cancelled.
   */
  abandon(): void {
    for (const active of [...this.active]) {
      active.control.abort('the link to the caller was lost');
      active.finish();
    }
    for (const work of [...this.notificationWork]) work.unsubscribe();
  }

  /** Abandons everything and answers nothing more, for good. */
  stop(): void {
    this.stopped = true;
    this.abandon();
    this.unhandled.complete();
  }

  /** Starts one call's handler (or hands it to requests$); returns what stops its work and deadline. */
  private start(request: JsonRpcRequest, active: Active): () => void {
    const { id, method } = request;
    const { handlerTimeout, scheduler, report } = this.setup;
    const deadline =
      handlerTimeout > 0 && handlerTimeout < Infinity
        ? scheduler.schedule(() => {
            report(
              new HandlerError(`Handler of ${method} (request ${String(id)}) timed out after ${handlerTimeout} ms`),
            );
            active.control.abort('the handler timed out');
            active.finish(
              errorAnswer(id, ServerErrorCodes.HandlerTimeout, `Request timed out after ${handlerTimeout} ms`),
            );
          }, handlerTimeout)
        : undefined;
    const handler = this.setup.handlers.get(method);
    if (handler === undefined) {
      this.unhandled.next(incomingRequest(request, active.finish));
      return () => deadline?.unsubscribe();
    }
    const context = this.setup.contextFor(request, active.control);
    const work = runHandler(
      handler,
      request.params,
      context,
      {
        result: (result) => active.finish({ jsonrpc: '2.0', id, result }),
        error: (error) => active.finish({ jsonrpc: '2.0', id, error }),
      },
      report,
    );
    return () => {
      deadline?.unsubscribe();
      work?.unsubscribe();
    };
  }

  /** A running call ended: the next waiting one may start. */
  private ranOut(): void {
    this.running--;
    this.waiting.shift()?.();
  }

  private settled(): void {
    if (this.active.size > 0 || this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
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
