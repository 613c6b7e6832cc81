import { ErrorCodes } from '../../protocol/error-codes';
import { JsonRpcError, messageOf, ProtocolError, type RpcError } from '../../protocol/errors';
import { isPlainObject } from '../../protocol/guards';
import type { JsonRpcFailure, JsonRpcNotification, JsonRpcRequest, JsonRpcResponse } from '../../protocol/messages';
import {
  classify,
  decodeFrame,
  describeInvalid,
  idOf,
  isForeign,
  looksLikeCall,
  looksLikeResponse,
  previewValue,
} from '../../protocol/parse';
import { unparsedProblem } from '../../protocol/unparsed';
import type { Frame, FrameWithCause } from '../../transports/transport';
import type { AnsweringOnDemand } from '../answerer/answering-on-demand';
import { errorAnswer, invalidRequest, type Answer } from '../answerer/answer-message';
import { FrameCost } from '../answerer/answering-limits';
import type { LenientOptions } from '../options';
import { otherIdType, salvageResponse } from './lenient';
import { dispatchBatch, type BatchTargets, type Router } from './batch-frame';
import { binaryFrameText } from './binary-frame';
import { settleIdlessError } from '../caller/idless-error';
import type { PendingCalls } from '../caller/pending';
import type { IncomingStream } from './incoming';
import type { NotificationRouter } from './notifications';

/** What the dispatcher routes to. */
export interface DispatchTargets extends BatchTargets {
  /** The calls of ours waiting for answers: what a response settles. */
  readonly pending: PendingCalls;
  /** Who listens to notifications, if anyone ever asked (`notifications$`, `foreign$`): none to deliver to otherwise. */
  readonly notificationsIfAny: NotificationRouter | undefined;
  readonly answering: AnsweringOnDemand;
  /** Every message, classified, before it is acted on (`Peer.incoming$`), if anyone ever asked for it. */
  readonly incomingIfAny: IncomingStream | undefined;
  readonly binaryFrames: 'report' | 'utf8';
  /** Reads a frame's text (the codec's `decode`); JSON.parse when undefined. */
  readonly decode: ((text: string) => unknown) | undefined;
  readonly lenient: LenientOptions;
  /** The link, whose generation now is that of the frame being dispatched (see `PeerConnection.generation`). */
  readonly link: { readonly generation: number };
}

/** Takes the answer to one message (a lone frame's goes out; a batch member's is collected). */
type LoneReply = (answer: Answer | undefined) => void;

/**
 * What every incoming frame goes through: decode, classify, then a Map lookup for
 * responses and notifications. Bad input is reported, answered where the specification
 * says so, and never thrown.
 *
 * A class, not closures: a server holds one per connection, and its methods are shared.
 */
export class Dispatcher implements Router {
  /** What the remote errors of the frame being dispatched keep as `cause` (an HTTP status). */
  private cause: RpcError | undefined;
  /** How answers to lone frames of the current link go out: made once per link, not per request. */
  private lone: { readonly generation: number; readonly done: LoneReply } | undefined;

  constructor(private readonly targets: DispatchTargets) {}

  /** Every incoming frame. */
  frame(frame: Frame): void {
    // A frame dispatched from within another (a memory link) must not take that one's cause.
    if (this.cause === undefined) this.dispatch(frame);
    else this.within(undefined, () => this.dispatch(frame));
  }

  /** A frame that came with a failure below JSON-RPC: its remote errors keep it as `cause`. */
  frameWithCause({ frame, cause }: FrameWithCause): void {
    this.within(cause, () => this.dispatch(frame));
  }

  /** Every message handed over as an object (a transport that does not serialize). */
  message(message: object): void {
    if (this.cause === undefined) this.dispatchMessage(message);
    else this.within(undefined, () => this.dispatchMessage(message));
  }

  /**
   * Routes one message; returns whether it owes an answer through `reply` (made on demand,
   * so that a response, the client's hot path, allocates nothing; undefined for a lone
   * frame, whose answer goes out by itself). `frame` is the cost of the
   * batch the message came in, or the size of its lone frame, charged to a call only when
   * one is taken.
   */
  route(value: unknown, reply: (() => LoneReply) | undefined, frame: FrameCost | number): boolean {
    const inBatch = typeof frame !== 'number';
    const kind = classify(value);
    const { targets } = this;
    targets.incomingIfAny?.push(kind, value, inBatch);
    switch (kind) {
      // classify() read the shape each case names: the casts only say so
      case 'response':
        this.settle(value as JsonRpcResponse, inBatch);
        return false;
      case 'notification':
        targets.answering.notice(value as JsonRpcNotification, frame);
        targets.notificationsIfAny?.deliver(value as JsonRpcNotification);
        return false;
      case 'request':
        targets.answering.answer(value as JsonRpcRequest, this.replyFor(reply), frame);
        return true;
      default:
        return this.invalid(value, reply, inBatch);
    }
  }

  /**
   * Routes a message that came as an object, not as JSON text: it must also be what JSON
   * text would have been (see `unparsedProblem`), else it is invalid as JSON-RPC says.
   */
  routeUnparsed(value: unknown, reply: (() => LoneReply) | undefined, frame: FrameCost | number): boolean {
    const problem = unparsedProblem(value);
    if (problem === undefined) return this.route(value, reply, frame);
    const inBatch = typeof frame !== 'number';
    this.targets.incomingIfAny?.push('invalid', value, inBatch);
    return this.invalid(value, reply, inBatch, problem);
  }

  private dispatch(frame: Frame): void {
    const { targets } = this;
    targets.tracer.incoming(frame);
    const source =
      typeof frame === 'string'
        ? frame
        : binaryFrameText(frame, targets.binaryFrames, (error) => targets.tracer.report(error));
    if (source === undefined) return;
    let value: unknown;
    try {
      value = decodeFrame(source, targets.decode);
    } catch (error) {
      // decodeFrame() throws only ProtocolErrors
      targets.tracer.report(error as ProtocolError);
      if (targets.lenient.textFrames) return;
      return targets.answers.reply(errorAnswer(null, ErrorCodes.ParseError, 'Parse error'), targets.link.generation);
    }
    if (Array.isArray(value)) dispatchBatch(targets, this, value, targets.link.generation, source.length, false);
    else this.route(value, undefined, source.length);
  }

  private dispatchMessage(message: object): void {
    this.targets.tracer.incomingMessage(message);
    try {
      // No text, so no size: nothing is charged to maxAnsweringBytes for it.
      if (Array.isArray(message)) dispatchBatch(this.targets, this, message, this.targets.link.generation, 0, true);
      else this.routeUnparsed(message, undefined, 0);
    } catch (error) {
      // Only an object can throw while it is read (a getter, a Proxy): JSON text never does.
      this.targets.tracer.report(new ProtocolError(`Message could not be read: ${messageOf(error)}`, { cause: error }));
    }
  }

  /** Where an answer goes: to the batch's `reply`, or (undefined: a lone frame) out now. */
  private replyFor(reply: (() => LoneReply) | undefined): LoneReply {
    if (reply !== undefined) return reply();
    const { targets } = this;
    const generation = targets.link.generation;
    if (this.lone?.generation !== generation) {
      this.lone = { generation, done: (answer) => answer !== undefined && targets.answers.reply(answer, generation) };
    }
    return this.lone.done;
  }

  private settle(response: JsonRpcResponse, inBatch: boolean): void {
    const { pending, tracer, lenient } = this.targets;
    const id = response.id;
    // only an error answer may have a null id: classify() checked it
    if (id === null) {
      return settleIdlessError((response as JsonRpcFailure).error, inBatch, this.cause, pending, tracer);
    }
    let call = pending.take(id);
    if (call === undefined && lenient.idTypes) {
      const other = otherIdType(id);
      if (other !== undefined) call = pending.take(other);
    }
    if (call === undefined) {
      if (!pending.wasAbandoned(id)) tracer.report(new ProtocolError(`Response for unknown id ${JSON.stringify(id)}`));
    } else if ('error' in response) {
      call.reject(JsonRpcError.fromObject(response.error, this.cause));
    } else {
      call.resolve(response.result);
    }
  }

  private invalid(
    value: unknown,
    reply: (() => LoneReply) | undefined,
    inBatch: boolean,
    reason = describeInvalid(value),
  ): boolean {
    const { pending, tracer, notificationsIfAny } = this.targets;
    const id = idOf(value);
    // The specification answers every invalid member of a batch; a lone object that is
    // neither call nor response (an `{"event": ...}` sharing the socket) is only reported.
    const answerable = inBatch ? !looksLikeResponse(value) : looksLikeCall(value) || !isPlainObject(value);
    if (answerable) {
      tracer.report(new ProtocolError(`Invalid request${inBatch ? ' in a batch' : ''}: ${reason}`));
      this.replyFor(reply)(invalidRequest(id));
      return true;
    }
    const salvaged = salvageResponse(value, this.targets.lenient);
    if (salvaged !== undefined) {
      this.settle(salvaged, inBatch);
      return false;
    }
    // What is not JSON-RPC settles no call, even one whose id it carries: it goes to whoever
    // listens, or is reported.
    if (!inBatch && isForeign(value)) {
      if (notificationsIfAny?.deliverForeign(value) !== true) {
        const hint = '(to receive messages that are not JSON-RPC, listen to foreign$)';
        tracer.report(new ProtocolError(`Invalid message: ${reason}: ${previewValue(value)} ${hint}`));
      }
      return false;
    }
    const call = id === null ? undefined : pending.take(id);
    const subject =
      call === undefined ? 'Invalid message' : `Request ${String(id)} (${call.method}) got an invalid response`;
    const error = new ProtocolError(`${subject}: ${reason}: ${previewValue(value)}`);
    call?.reject(error);
    tracer.report(error);
    return false;
  }

  /** Runs `run` with `given` as the cause of remote errors, then restores the outer one. */
  private within(given: RpcError | undefined, run: () => void): void {
    const outer = this.cause;
    this.cause = given;
    try {
      run();
    } finally {
      this.cause = outer;
    }
  }
}
