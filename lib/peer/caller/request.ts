import { Observable, type Subscriber } from 'rxjs';
import { callName, ProtocolError } from '../../protocol/errors';
import type { JsonRpcId, JsonRpcParams } from '../../protocol/messages';
import { OutgoingCall, peerClosed, type CallContext } from './call';
import { callMessage, checkCall, encodeFrame, type OutgoingFrame } from '../link/encode';
import type { RequestOptions } from '../options';

/** A call whose outcome goes to a subscriber; it is also the subscription's teardown. */
class ObservedCall extends OutgoingCall {
  constructor(
    context: CallContext,
    id: JsonRpcId,
    method: string,
    frame: OutgoingFrame,
    timeout: number,
    private readonly subscriber: Subscriber<unknown>,
  ) {
    super(context, id, method, frame, timeout);
  }

  protected deliver(result: unknown): void {
    this.subscriber.next(result);
    this.subscriber.complete();
  }

  protected raise(error: unknown): void {
    this.subscriber.error(error);
  }

  /** The subscriber left (or ended): the call ends. */
  unsubscribe(): void {
    this.end();
  }
}

/** A call whose outcome settles a Promise, with no Observable in between. */
class PromisedCall extends OutgoingCall {
  constructor(
    context: CallContext,
    id: JsonRpcId,
    method: string,
    frame: OutgoingFrame,
    timeout: number,
    private readonly onResult: (result: unknown) => void,
    private readonly onError: (error: unknown) => void,
  ) {
    super(context, id, method, frame, timeout);
  }

  protected deliver(result: unknown): void {
    this.onResult(result);
  }

  protected raise(error: unknown): void {
    this.onError(error);
  }
}

/**
 * Checks and encodes a call and gives it its id; returns what `make` builds from them, or
 * the error the call fails with before anything is sent.
 */
function prepare<C extends OutgoingCall>(
  context: CallContext,
  method: string,
  params: JsonRpcParams | undefined,
  options: RequestOptions | undefined,
  make: (id: JsonRpcId, frame: OutgoingFrame, timeout: number) => C,
): C | Error {
  const problem = checkCall(method, params);
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-conversion -- JavaScript callers may pass anything
  if (problem !== undefined) return new ProtocolError(`${callName(String(method))} not sent: ${problem}`, { method });
  if (context.connection.isClosed) return peerClosed(callName(method), context.connection, method);
  const id = context.nextId();
  options?.onId?.(id);
  // Built only when a message needs it: most calls never do.
  const subject = () => callName(method, id);
  if (context.pending.has(id)) return new ProtocolError(`${subject()} not sent: the id is in flight`, { id, method });
  let frame: OutgoingFrame;
  try {
    frame = encodeFrame(callMessage(method, params, id), subject, context.codec);
  } catch (error) {
    // encode() throws only ProtocolErrors, made for this call
    return Object.assign(error as Error, { id, method });
  }
  return make(id, frame, options?.timeout ?? context.timeout);
}

/**
 * A call as a cold Observable: each subscription sends one request (once the link is open)
 * and emits its result then completes, or errors. Unsubscribing before the answer forgets
 * the id (and sends the cancel notification, if the peer has one).
 */
export function request$<R>(
  context: CallContext,
  method: string,
  params?: JsonRpcParams,
  options?: RequestOptions,
): Observable<R> {
  return new Observable<R>((subscriber) => {
    // Subscribed with a subscriber already closed (forkJoin goes on subscribing after an
    // early error): nothing to send.
    if (subscriber.closed) return;
    const call = prepare(
      context,
      method,
      params,
      options,
      // R is what the caller says the result is: unchecked
      (id, frame, timeout) => new ObservedCall(context, id, method, frame, timeout, subscriber as Subscriber<unknown>),
    );
    if (!(call instanceof OutgoingCall)) return subscriber.error(call);
    call.start();
    return call;
  });
}

/** A call as a Promise: what `request$()` does, settled straight from the answer. */
export function request<R>(
  context: CallContext,
  method: string,
  params?: JsonRpcParams,
  options?: RequestOptions,
): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    const call = prepare(
      context,
      method,
      params,
      options,
      (id, frame, timeout) =>
        // R is what the caller says the result is: unchecked
        new PromisedCall(context, id, method, frame, timeout, resolve as (result: unknown) => void, reject),
    );
    if (call instanceof OutgoingCall) call.start();
    else reject(call);
  });
}
