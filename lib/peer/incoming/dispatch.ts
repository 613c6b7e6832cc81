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
import type { Answering } from '../answerer/answer';
import type { BatchAnswer } from '../answerer/answer-encoder';
import { errorAnswer, invalidRequest, type Answer } from '../answerer/answer-message';
import { FrameCost } from '../answerer/answering-limits';
import type { LenientOptions } from '../options';
import { otherIdType, salvageResponse } from './lenient';
import { dispatchBatch, type BatchTargets } from './batch-frame';
import { binaryFrameText } from './binary-frame';
import { settleIdlessError } from '../caller/idless-error';
import type { IncomingStream } from './incoming';
import type { NotificationRouter } from './notifications';
import type { PendingCalls } from '../caller/pending';
import type { Tracer } from '../trace';

/** What the dispatcher routes to. */
export interface DispatchTargets {
  readonly pending: PendingCalls;
  readonly notifications: NotificationRouter;
  readonly answering: Answering;
  readonly tracer: Tracer;
  /** Every message, classified, before it is acted on (`Peer.incoming$`). */
  readonly incoming: IncomingStream;
  readonly binaryFrames: 'report' | 'utf8';
  /** Reads a frame's text (the codec's `decode`); JSON.parse when undefined. */
  readonly decode: ((text: string) => unknown) | undefined;
  readonly maxBatchSize: number;
  readonly lenient: LenientOptions;
  /** The link's generation now (see `PeerConnection.generation`). */
  generation(): number;
  /**
   * Sends one answer, or a batch's as one array frame, if the link of `generation` is still
   * the one open: an answer never goes to a peer that did not ask.
   */
  readonly reply: (answer: Answer | BatchAnswer, generation: number) => void;
  /** Starts the answer to an incoming batch. */
  readonly batchAnswer: () => BatchAnswer;
}

/** Where incoming frames go. */
export interface Dispatcher {
  /** Every incoming frame. */
  readonly frame: (frame: Frame) => void;
  /** A frame that came with a failure below JSON-RPC: its remote errors keep it as `cause`. */
  readonly frameWithCause: (frame: FrameWithCause) => void;
  /** Every message handed over as an object (a transport that does not serialize). */
  readonly message: (message: object) => void;
}

/**
 * Makes what every incoming frame goes through: decode, classify, then a Map
 * lookup for responses and notifications. Bad input is reported, answered where the
 * specification says so, and never thrown.
 */
export function createDispatcher(targets: DispatchTargets): Dispatcher {
  const { pending, notifications, answering, tracer } = targets;
  /** What the remote errors of the frame being dispatched keep as `cause` (an HTTP status). */
  let cause: RpcError | undefined;

  /** How answers to lone frames of the current link go out: made once per link, not per request. */
  let lone: { readonly generation: number; readonly done: (answer: Answer | undefined) => void } | undefined;
  const replyNow = () => {
    const generation = targets.generation();
    if (lone?.generation !== generation) {
      lone = { generation, done: (answer) => answer !== undefined && targets.reply(answer, generation) };
    }
    return lone.done;
  };

  const settle = (response: JsonRpcResponse, inBatch: boolean): void => {
    const id = response.id;
    // only an error answer may have a null id: classify() checked it
    if (id === null) return settleIdlessError((response as JsonRpcFailure).error, inBatch, cause, pending, tracer);
    let call = pending.take(id);
    if (call === undefined && targets.lenient.idTypes) {
      const other = otherIdType(id);
      if (other !== undefined) call = pending.take(other);
    }
    if (call === undefined) {
      if (!pending.wasAbandoned(id)) tracer.report(new ProtocolError(`Response for unknown id ${JSON.stringify(id)}`));
    } else if ('error' in response) {
      call.reject(JsonRpcError.fromObject(response.error, cause));
    } else {
      call.resolve(response.result);
    }
  };

  /**
   * Routes one message; returns whether it owes an answer through `reply` (made on demand,
   * so that a response, the client's hot path, allocates nothing). `frame` is the cost of the
   * batch the message came in, or the size of its lone frame, charged to a call only when
   * one is taken.
   */
  const route = (
    value: unknown,
    reply: () => (answer: Answer | undefined) => void,
    frame: FrameCost | number,
  ): boolean => {
    const inBatch = typeof frame !== 'number';
    const kind = classify(value);
    targets.incoming.push(kind, value, inBatch);
    switch (kind) {
      // classify() read the shape each case names: the casts only say so
      case 'response':
        settle(value as JsonRpcResponse, inBatch);
        return false;
      case 'notification':
        answering.notice(value as JsonRpcNotification, frame);
        notifications.deliver(value as JsonRpcNotification);
        return false;
      case 'request':
        answering.answer(value as JsonRpcRequest, reply(), frame);
        return true;
      default:
        return invalid(value, reply, inBatch);
    }
  };

  const invalid = (
    value: unknown,
    reply: () => (answer: Answer | undefined) => void,
    inBatch: boolean,
    reason = describeInvalid(value),
  ): boolean => {
    const id = idOf(value);
    // The specification answers every invalid member of a batch; a lone object that is
    // neither call nor response (an `{"event": ...}` sharing the socket) is only reported.
    const answerable = inBatch ? !looksLikeResponse(value) : looksLikeCall(value) || !isPlainObject(value);
    if (answerable) {
      tracer.report(new ProtocolError(`Invalid request${inBatch ? ' in a batch' : ''}: ${reason}`));
      reply()(invalidRequest(id));
      return true;
    }
    const salvaged = salvageResponse(value, targets.lenient);
    if (salvaged !== undefined) {
      settle(salvaged, inBatch);
      return false;
    }
    // What is not JSON-RPC settles no call, even one whose id it carries: it goes to whoever
    // listens, or is reported.
    if (!inBatch && isForeign(value)) {
      if (!notifications.deliverForeign(value)) {
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
  };

  const batchTargets: BatchTargets = {
    pending,
    tracer,
    maxBatchSize: targets.maxBatchSize,
    reply: targets.reply,
    batchAnswer: targets.batchAnswer,
    route,
  };

  const dispatch = (frame: Frame): void => {
    tracer.incoming(frame);
    const source =
      typeof frame === 'string' ? frame : binaryFrameText(frame, targets.binaryFrames, (error) => tracer.report(error));
    if (source === undefined) return;
    let value: unknown;
    try {
      value = decodeFrame(source, targets.decode);
    } catch (error) {
      // decodeFrame() throws only ProtocolErrors
      tracer.report(error as ProtocolError);
      if (targets.lenient.textFrames) return;
      return targets.reply(errorAnswer(null, ErrorCodes.ParseError, 'Parse error'), targets.generation());
    }
    if (Array.isArray(value)) dispatchBatch(batchTargets, value, targets.generation(), source.length);
    else route(value, replyNow, source.length);
  };

  /**
   * Routes a message that came as an object, not as JSON text: it must also be what JSON
   * text would have been (see `unparsedProblem`), else it is invalid as JSON-RPC says.
   */
  const routeUnparsed = (
    value: unknown,
    reply: () => (answer: Answer | undefined) => void,
    frame: FrameCost | number,
  ): boolean => {
    const problem = unparsedProblem(value);
    if (problem === undefined) return route(value, reply, frame);
    const inBatch = typeof frame !== 'number';
    targets.incoming.push('invalid', value, inBatch);
    return invalid(value, reply, inBatch, problem);
  };
  const unparsedBatchTargets: BatchTargets = { ...batchTargets, route: routeUnparsed };

  const dispatchMessage = (message: object): void => {
    tracer.incomingMessage(message);
    try {
      // No text, so no size: nothing is charged to maxAnsweringBytes for it.
      if (Array.isArray(message)) dispatchBatch(unparsedBatchTargets, message, targets.generation(), 0);
      else routeUnparsed(message, replyNow, 0);
    } catch (error) {
      // Only an object can throw while it is read (a getter, a Proxy): JSON text never does.
      tracer.report(new ProtocolError(`Message could not be read: ${messageOf(error)}`, { cause: error }));
    }
  };

  /** Runs `run` with `given` as the cause of remote errors, then restores the outer one. */
  const within = (given: RpcError | undefined, run: () => void) => {
    const outer = cause;
    cause = given;
    try {
      run();
    } finally {
      cause = outer;
    }
  };

  return {
    // A frame dispatched from within another (a memory link) must not take that one's cause.
    frame: (frame) => (cause === undefined ? dispatch(frame) : within(undefined, () => dispatch(frame))),
    frameWithCause: ({ frame, cause: given }) => within(given, () => dispatch(frame)),
    message: (message) =>
      cause === undefined ? dispatchMessage(message) : within(undefined, () => dispatchMessage(message)),
  };
}
