import { defaultIfEmpty, isObservable, Subject, take, type Observable, type Subscription } from 'rxjs';
import { ErrorCodes } from '../protocol/error-codes';
import { HandlerError, JsonRpcError, type RpcError } from '../protocol/errors';
import type { JsonRpcErrorObject, JsonRpcId, JsonRpcNotification, JsonRpcRequest } from '../protocol/messages';
import type { Handler, HandlerContext, HandlerRegistry, IncomingRequest } from './handlers';
import type { Peer } from './peer';

/** An answer on its way out. Its id may be null when the request's was. */
export type Answer =
  | { readonly jsonrpc: '2.0'; readonly id: JsonRpcId | null; readonly result: unknown }
  | { readonly jsonrpc: '2.0'; readonly id: JsonRpcId | null; readonly error: JsonRpcErrorObject };

/** Builds an error answer. */
export function errorAnswer(id: JsonRpcId | null, code: number, message: string, data?: unknown): Answer {
  const error = data === undefined ? { code, message } : { code, message, data };
  return { jsonrpc: '2.0', id, error };
}

/**
 * The answering side: runs the handler of each incoming call and turns what it returns
 * or throws into exactly one answer. Keeps the handlers still running, to stop them when
 * the peer closes.
 */
export class Answering {
  private readonly unhandled = new Subject<IncomingRequest>();
  private readonly running = new Set<Subscription>();
  private stopped = false;

  /** Requests no handler serves, while someone subscribes; otherwise they get -32601. */
  readonly requests$: Observable<IncomingRequest> = this.unhandled.asObservable();

  constructor(
    private readonly handlers: HandlerRegistry,
    private readonly peer: () => Peer,
    private readonly report: (error: RpcError) => void,
  ) {}

  /** Answers `request` through `done`, once (not at all if the peer stops first). */
  answer(request: JsonRpcRequest, done: (answer: Answer) => void): void {
    const { id, method } = request;
    const handler = this.handlers.get(method);
    if (handler !== undefined) {
      this.run(
        handler,
        request,
        (result) => done({ jsonrpc: '2.0', id, result }),
        (error) => done({ jsonrpc: '2.0', id, error }),
      );
    } else if (this.unhandled.observed) {
      this.unhandled.next(incomingRequest(request, done));
    } else {
      done(errorAnswer(id, ErrorCodes.MethodNotFound, 'Method not found'));
    }
  }

  /** Runs the handler of a notification, if any; its result is ignored, its failure reported. */
  notice(notification: JsonRpcNotification): boolean {
    const handler = this.handlers.get(notification.method);
    if (handler === undefined) return false;
    this.run(
      handler,
      notification,
      () => undefined,
      () => undefined,
    );
    return true;
  }

  /** Stops every running handler Observable; later results are dropped. */
  stop(): void {
    this.stopped = true;
    for (const subscription of [...this.running]) subscription.unsubscribe();
    this.running.clear();
    this.unhandled.complete();
  }

  private run(
    handler: Handler,
    call: JsonRpcRequest | JsonRpcNotification,
    onResult: (result: unknown) => void,
    onError: (error: JsonRpcErrorObject) => void,
  ): void {
    const context: HandlerContext = { peer: this.peer(), method: call.method, id: 'id' in call ? call.id : undefined };
    const fail = (error: unknown) => {
      if (!this.stopped) onError(this.toErrorObject(error, context));
    };
    const succeed = (result: unknown) => {
      if (!this.stopped) onResult(result === undefined ? null : result);
    };
    let result: unknown;
    try {
      result = handler(call.params, context);
    } catch (error) {
      return fail(error);
    }
    if (isObservable(result)) {
      const subscription = result.pipe(take(1), defaultIfEmpty(null)).subscribe({ next: succeed, error: fail });
      if (!subscription.closed) {
        this.running.add(subscription);
        subscription.add(() => this.running.delete(subscription));
      }
    } else if (isPromiseLike(result)) {
      result.then(succeed, fail);
    } else {
      succeed(result);
    }
  }

  /** A JsonRpcError answers as itself; anything else answers -32603 and is reported, with no details sent. */
  private toErrorObject(error: unknown, context: HandlerContext): JsonRpcErrorObject {
    if (error instanceof JsonRpcError) return error.toJSON();
    const call = context.id === undefined ? 'notification' : `request ${String(context.id)}`;
    const detail = error instanceof Error ? error.message : String(error);
    this.report(new HandlerError(`Handler of ${context.method} (${call}) failed: ${detail}`, { cause: error }));
    return { code: ErrorCodes.InternalError, message: 'Internal error' };
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

function incomingRequest(request: JsonRpcRequest, done: (answer: Answer) => void): IncomingRequest {
  let answered = false;
  const once = (answer: Answer) => {
    if (answered) return;
    answered = true;
    done(answer);
  };
  return {
    id: request.id,
    method: request.method,
    params: request.params,
    respond: (result) => once({ jsonrpc: '2.0', id: request.id, result: result === undefined ? null : result }),
    respondError: (error) =>
      once({ jsonrpc: '2.0', id: request.id, error: error instanceof JsonRpcError ? error.toJSON() : error }),
  };
}
