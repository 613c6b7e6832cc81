import type { Subscription, Unsubscribable } from 'rxjs';
import { ServerErrorCodes } from '../../protocol/error-codes';
import { HandlerError, JsonRpcError } from '../../protocol/errors';
import type { Reporter } from '../trace';
import type { JsonRpcErrorObject, JsonRpcId, JsonRpcNotification, JsonRpcRequest } from '../../protocol/messages';
import { errorAnswer, type Answer } from './answer-message';
import type { FrameCost } from './answering-limits';
import { CallControl } from './call-control';
import type { Linked } from '../collections/linked-set';
import type { Deadline, Deadlines, Expiring } from '../collections/deadlines';
import type { IncomingRequest } from '../peer';

/**
 * One incoming call being handled, or waiting for its turn. It is its own link in the set of
 * calls being handled and where its handler's outcome goes (`runHandler`), so that a call
 * makes no closures.
 */
export class Incoming implements Linked<Incoming> {
  /**
   * A separate object: the handler's context keeps it, and a context may live on (in the old
   * generation), so it must not keep the call, its params and its answer alive with it.
   */
  readonly control = new CallControl();
  started = false;
  ended = false;
  /** The deadline of the handler and the work of an Observable handler: what `stop()` ends. */
  deadline: HandlerDeadline | undefined;
  work: Subscription | undefined;
  prev: Incoming | undefined;
  next: Incoming | undefined;
  linked = false;

  constructor(
    readonly call: JsonRpcRequest | JsonRpcNotification,
    /** The batch it came in, or the size of its lone frame. */
    readonly cost: FrameCost | number,
    /** Sends the answer of a request; undefined for a notification. */
    readonly done: ((answer: Answer | undefined) => void) | undefined,
    /** Ends the call, once, with its answer (none for a notification); shared by the calls of a peer. */
    private readonly ender: CallEnder,
  ) {}

  /** The handler returned `result`. */
  result(result: unknown): void {
    // At or after its deadline, the call has timed out, whichever timer fires first.
    if (this.deadline?.due === true) return this.deadline.expireNow();
    const id = idOf(this);
    this.ender.end(this, id === undefined ? undefined : { jsonrpc: '2.0', id, result });
  }

  /** The handler failed with `error`. */
  error(error: JsonRpcErrorObject): void {
    if (this.deadline?.due === true) return this.deadline.expireNow();
    const id = idOf(this);
    this.ender.end(this, id === undefined ? undefined : { jsonrpc: '2.0', id, error });
  }

  /** Stops the work of the handler and its deadline. */
  stop(): void {
    this.deadline?.unsubscribe();
    this.work?.unsubscribe();
    this.deadline = this.work = undefined;
  }
}

/** The id of a request; undefined for a notification. */
export function idOf(incoming: Incoming): JsonRpcId | null | undefined {
  return 'id' in incoming.call ? incoming.call.id : undefined;
}

/** What `requests$` hands out for a request no handler serves. */
export function incomingRequest(request: JsonRpcRequest, answer: (answer: Answer) => void): IncomingRequest {
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

/** What a handler's deadline reports to, and how long it is. */
export interface DeadlineSetup extends Reporter {
  readonly handlerTimeout: number;
}

/** What ends the calls of a peer: its answering side (one object, not a closure of each peer). */
export interface CallEnder {
  /** Ends `incoming` once, with its answer (none for a notification). */
  end(incoming: Incoming, answer?: Answer): void;
}

/**
 * The deadline of one call's handler that did not finish at once: its own entry in the
 * peer's line of `handlerTimeout` (see `Deadlines`), counted from when the handler started,
 * with no timer of its own. When it passes, the failure is reported, the call's signal
 * aborts, and `end` is given the call and its -32001 answer (nothing for a notification).
 * `end` is the peer's, not the call's: no closure per call.
 */
export class HandlerDeadline implements Deadline, Expiring, Unsubscribable {
  at = 0;
  line: Deadline['line'];
  prev: Deadline | undefined;
  next: Deadline | undefined;
  get target(): Expiring {
    return this;
  }

  constructor(
    private readonly deadlines: Deadlines,
    private readonly setup: DeadlineSetup,
    private readonly incoming: Incoming,
    private readonly ender: CallEnder,
    started: number,
  ) {
    deadlines.enter(setup.handlerTimeout, this, started);
  }

  /** Whether the deadline has passed: an outcome that comes now is too late, even if the timer has not fired yet. */
  get due(): boolean {
    return this.deadlines.isDue(this);
  }

  /** Takes the deadline out of its line and times the call out now (see `due`). */
  expireNow(): void {
    this.deadlines.remove(this);
    this.expire();
  }

  expire(): void {
    const { incoming, setup } = this;
    const { handlerTimeout } = setup;
    const id = idOf(incoming);
    const subject = id === undefined ? 'notification' : `request ${String(id)}`;
    setup.report(
      new HandlerError(`Handler of ${incoming.call.method} (${subject}) timed out after ${handlerTimeout} ms`),
    );
    incoming.control.abort('the handler timed out');
    this.ender.end(
      incoming,
      id === undefined
        ? undefined
        : errorAnswer(id, ServerErrorCodes.HandlerTimeout, `Request timed out after ${handlerTimeout} ms`),
    );
  }

  unsubscribe(): void {
    this.deadlines.remove(this);
  }
}
