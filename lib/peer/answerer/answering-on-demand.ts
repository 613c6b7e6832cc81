import type { Observable } from 'rxjs';
import type { JsonRpcNotification, JsonRpcRequest } from '../../protocol/messages';
import { feedOf, type Feed } from '../../transports/feed';
import type { IncomingRequest } from '../peer';
import type { Answering } from './answer';
import type { Answer } from './answer-message';
import type { FrameCost } from './answering-limits';
import type { HandlerRegistry } from './handlers';

/** What makes a peer's answering side when it is first needed. */
export interface AnsweringMaker {
  makeAnswering(unhandled: Feed<IncomingRequest>): Answering;
}

/**
 * A peer's answering side, made at the first call that needs it: a peer that is never
 * called (most clients, a server's idle connections) holds none of its state, about 1 KiB
 * a peer. Until then it answers what it can without it: no call runs, none to count,
 * cancel or wait for.
 */
export class AnsweringOnDemand {
  private side: Answering | undefined;
  private stopped = false;
  // Made when first asked for, or with the side: most peers of a server never read it.
  private unhandled: Feed<IncomingRequest> | undefined;

  constructor(
    private readonly handlers: HandlerRegistry,
    /** Makes the answering side, which hands the requests no handler serves to `unhandled` (an object, not a closure of each peer). */
    private readonly maker: AnsweringMaker,
  ) {}

  /** Requests no handler serves, while someone subscribes; otherwise they get -32601. */
  get requests$(): Observable<IncomingRequest> {
    return this.unhandledFeed();
  }

  /** How many requests are being answered now (running or waiting for their turn). */
  get answering(): number {
    return this.side?.answering ?? 0;
  }

  /** See `Answering.answer`. */
  answer(request: JsonRpcRequest, done: (answer: Answer | undefined) => void, frame: FrameCost | number): void {
    // After stop(), a call the same frame carried (its notification's subscriber closed the peer) runs no handler.
    if (!this.stopped) this.made().answer(request, done, frame);
  }

  /** See `Answering.notice`. */
  notice(notification: JsonRpcNotification, frame: FrameCost | number): boolean {
    // Before the first call nothing runs, so a cancel has nothing to cancel: only a handled notification needs the side.
    if (this.stopped || (this.side === undefined && this.handlers.get(notification.method) === undefined)) return false;
    return this.made().notice(notification, frame);
  }

  /** Resolves once no request is being answered. */
  idle(): Promise<void> {
    return this.side?.idle() ?? Promise.resolve();
  }

  /** See `Answering.abandon`. */
  abandon(): void {
    this.side?.abandon();
  }

  /** See `Answering.stop`. */
  stop(): void {
    this.stopped = true;
    if (this.side === undefined) this.unhandled?.complete();
    else this.side.stop();
  }

  /** The side, made now if need be. */
  private made(): Answering {
    return (this.side ??= this.maker.makeAnswering(this.unhandledFeed()));
  }

  private unhandledFeed(): Feed<IncomingRequest> {
    return (this.unhandled = feedOf(this.unhandled, this.stopped));
  }
}
