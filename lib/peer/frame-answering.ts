import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { HandlerError, ProtocolError, type RpcError } from '../protocol/errors';
import type { JsonRpcParams } from '../protocol/messages';
import type { Feed } from '../transports/feed';
import type { ConnectionInfo } from '../transports/transport';
import type { Answering } from './answerer/answer';
import { AnswerEncoder, BatchAnswer } from './answerer/answer-encoder';
import type { Answer } from './answerer/answer-message';
import { AnsweringOnDemand, type AnsweringMaker } from './answerer/answering-on-demand';
import { answeringSide, type AnsweringOwner } from './answerer/answering-side';
import type { HandlerRegistry } from './answerer/handlers';
import { PendingCalls } from './caller/pending';
import { quietGeneric, type Dialect } from './dialect';
import { Dispatcher, type DispatchTargets } from './incoming/dispatch';
import type { AnswerSink } from './incoming/batch-frame';
import { peerDefaults, type Codec, type LenientOptions, type PeerOptions } from './options';
import type { IncomingRequest, Peer } from './peer';
import { Tracer } from './trace';

/**
 * What the frames of one server are answered with, made once: its methods, its peer options
 * with their defaults read, and the parts no frame writes to (no call of ours waits for an
 * answer, nobody listens to a notification or to the incoming messages).
 */
export class FrameParts {
  readonly pending = new PendingCalls();
  readonly link = { generation: 0 };
  readonly scheduler: SchedulerLike;
  readonly dialect: Dialect;
  readonly codec: Codec | undefined;
  readonly decode: ((text: string) => unknown) | undefined;
  readonly lenient: LenientOptions;
  readonly maxBatchSize: number;
  readonly maxAnswerSize: number;
  readonly maxPendingAnswerBytes: number;
  readonly binaryFrames: 'report' | 'utf8';

  constructor(
    readonly options: PeerOptions,
    readonly methods: HandlerRegistry,
  ) {
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.dialect = options.dialect ?? quietGeneric();
    const codec = (this.codec = options.codec);
    this.decode = codec && ((text) => codec.decode(text));
    this.lenient = options.lenient ?? {};
    this.maxBatchSize = options.maxBatchSize ?? peerDefaults.maxBatchSize;
    this.maxAnswerSize = options.maxAnswerSize ?? peerDefaults.maxAnswerSize;
    this.maxPendingAnswerBytes = options.maxAnsweringBytes ?? peerDefaults.maxAnsweringBytes;
    this.binaryFrames = options.binaryFrames ?? peerDefaults.binaryFrames;
  }
}

/** Who sent a frame, as its handlers see them. */
export interface FrameSender {
  /** What `context.connection` says. */
  readonly info: ConnectionInfo;
  readonly session: Record<string, unknown>;
  /** `context.peer`, which also sends progress: called only when a handler reads it, or reports progress. */
  readonly peer: () => Peer;
  /** Hears each failure of a handler. */
  readonly onHandlerError: (error: HandlerError) => void;
}

/**
 * How a frame was answered: its answer frame; 'none' when it held notifications only; the
 * first ProtocolError it caused when it held nothing to answer and something that could not
 * be taken (a response: no call of ours waits for one).
 */
export type FrameOutcome = { readonly json: string } | 'none' | ProtocolError;

/**
 * Answers one frame with no peer and no link: the dispatcher and the answering side a peer
 * would use (the same limits, deadlines, dialect and codec), over `parts.methods`. This is
 * what a server answers a lone HTTP POST with when its methods are the same for every
 * client: a peer costs ten times as much. A class, so one object is the frame's tracer, its
 * answers' sink and the maker of its answering side.
 */
export class FrameAnswering implements DispatchTargets, AnswerSink, AnsweringMaker, AnsweringOwner {
  readonly answers = this;
  readonly tracer: FrameTracer;
  /** The one link a frame has (the encoder reads it). */
  readonly generation = 0;
  readonly answering: AnsweringOnDemand;
  readonly pending: PendingCalls;
  /** No call of ours was ever made: a batch has none to match. */
  readonly pendingIfAny = undefined;
  /** Nobody listens to a frame's notifications or messages. */
  readonly notificationsIfAny = undefined;
  readonly incomingIfAny = undefined;
  readonly link: { readonly generation: number };
  readonly lenient: LenientOptions;
  readonly maxBatchSize: number;
  readonly binaryFrames: 'report' | 'utf8';
  readonly decode: ((text: string) => unknown) | undefined;
  private encoder: AnswerEncoder | undefined;
  private answer: string | undefined;
  private problem: ProtocolError | undefined;

  constructor(
    private readonly parts: FrameParts,
    private readonly sender: FrameSender,
  ) {
    this.tracer = new FrameTracer(this);
    this.answering = new AnsweringOnDemand(parts.methods, this);
    ({
      pending: this.pending,
      link: this.link,
      lenient: this.lenient,
      maxBatchSize: this.maxBatchSize,
      binaryFrames: this.binaryFrames,
      decode: this.decode,
    } = parts);
  }

  /**
   * Dispatches `frame`, then resolves once each of its calls is answered (or given up, see
   * `abandon`), and stops what still runs (a notification's handler: its signal aborts).
   */
  async answerFrame(frame: string): Promise<FrameOutcome> {
    new Dispatcher(this).frame(frame);
    // An await only for calls still running: most answer in this turn.
    if (this.answering.answering > 0) await this.answering.idle();
    this.answering.stop();
    if (this.answer !== undefined) return { json: this.answer };
    return this.problem ?? 'none';
  }

  /** Gives up every call of the frame (its sender has gone, or the server stopped waiting): `answerFrame` resolves. */
  abandon(): void {
    this.answering.stop();
  }

  /** How many calls of the frame are being answered. */
  get calls(): number {
    return this.answering.answering;
  }

  /** Keeps the first answer: a frame has one (a batch's is one array). */
  reply(answer: Answer | BatchAnswer): void {
    const frame = answer instanceof BatchAnswer ? answer.frame() : this.encoded().single(answer);
    // Text always: the codec of a frame that came as text writes text.
    if (typeof frame === 'string' && frame !== '') this.answer ??= frame;
  }

  batchAnswer(): BatchAnswer {
    return this.encoded().batch();
  }

  /** Keeps the first ProtocolError (for a frame with nothing to answer); hands on a handler's failure. */
  report(error: RpcError): void {
    if (error instanceof ProtocolError) this.problem ??= error;
    else if (error instanceof HandlerError) this.sender.onHandlerError(error);
  }

  makeAnswering(unhandled: Feed<IncomingRequest>): Answering {
    return answeringSide(this.parts.options, this.parts.methods, this, unhandled);
  }

  get session(): Record<string, unknown> {
    return this.sender.session;
  }

  get dialect(): Dialect {
    return this.parts.dialect;
  }

  get scheduler(): SchedulerLike {
    return this.parts.scheduler;
  }

  /** `context.peer`: the sender's, made when a handler first reads it. */
  get peer(): Peer {
    return this.sender.peer();
  }

  /** The sender, whose `info` is `context.connection`. */
  get connection(): FrameSender {
    return this.sender;
  }

  notify(method: string, params?: JsonRpcParams): void {
    this.peer.notify(method, params);
  }

  private encoded(): AnswerEncoder {
    const { parts } = this;
    return (this.encoder ??= new AnswerEncoder(parts.maxAnswerSize, parts.maxPendingAnswerBytes, this, parts.codec));
  }
}

/** A frame's tracer: nobody can listen to its streams, so what is reported goes to the frame. */
class FrameTracer extends Tracer {
  constructor(private readonly frame: FrameAnswering) {
    super();
  }

  override report(error: RpcError): void {
    this.frame.report(error);
  }
}
