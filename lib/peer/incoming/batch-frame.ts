import { ProtocolError } from '../../protocol/errors';
import type { JsonRpcId } from '../../protocol/messages';
import { idOf } from '../../protocol/parse';
import type { BatchAnswer } from '../answerer/answer-encoder';
import { invalidRequest, type Answer } from '../answerer/answer-message';
import { FrameCost } from '../answerer/answering-limits';
import type { PendingCalls } from '../caller/pending';
import type { Tracer } from '../trace';

/** What an incoming batch is dispatched with (part of the dispatcher's targets). */
export interface BatchTargets {
  /** The calls of ours waiting for answers, if any was ever made (none to match a batch's answers against otherwise). */
  readonly pendingIfAny: PendingCalls | undefined;
  readonly tracer: Tracer;
  readonly maxBatchSize: number;
  /** Where answers go. */
  readonly answers: AnswerSink;
}

/** Where a peer's answers go out. */
export interface AnswerSink {
  /**
   * Sends one answer, or a batch's as one array frame, if the link of `generation` is still
   * the one open: an answer never goes to a peer that did not ask.
   */
  reply(answer: Answer | BatchAnswer, generation: number): void;
  /** Starts the answer to an incoming batch. */
  batchAnswer(): BatchAnswer;
}

/** Routes one member; returns whether it owes an answer through the reply it is given. */
export interface Router {
  route(value: unknown, reply: () => (answer: Answer | undefined) => void, frame: FrameCost): boolean;
  /** `route` for a message that came as an object (see `unparsedProblem`). */
  routeUnparsed(value: unknown, reply: () => (answer: Answer | undefined) => void, frame: FrameCost): boolean;
}

/**
 * Dispatches the members of one array frame (or array message, `unparsed`), of link `generation`, `size` UTF-16 units long:
 * an empty one or one over `maxBatchSize` is answered with one Invalid Request and none of it
 * runs; otherwise each member is routed (charged to the frame's one `FrameCost`) and the
 * batch is answered with one array once the last answer owed is ready. Our own batched calls
 * the frame answers in part, and leaves members of unanswered, fail.
 */
export function dispatchBatch(
  targets: BatchTargets,
  router: Router,
  values: unknown[],
  generation: number,
  size: number,
  unparsed: boolean,
): void {
  const { pendingIfAny: pending, tracer } = targets;
  if (values.length === 0) {
    tracer.report(new ProtocolError('Invalid request: an empty batch'));
    return targets.answers.reply(invalidRequest(null), generation);
  }
  if (values.length > targets.maxBatchSize) {
    tracer.report(
      new ProtocolError(`Invalid request: a batch of ${values.length} exceeds maxBatchSize (${targets.maxBatchSize})`),
    );
    return targets.answers.reply(invalidRequest(null), generation);
  }
  // Each answer is encoded as it comes: only text is kept, within maxAnswerSize.
  const answers = targets.answers.batchAnswer();
  let owed = 0;
  let settled = 0;
  let routing = true;
  // A member cancelled without an answer settles too: the others' answers still go out,
  // and a batch with no answer at all gets none.
  const done = () => (answers.size > 0 ? targets.answers.reply(answers, generation) : answers.frame());
  const collect = (answer: Answer | undefined) => {
    settled++;
    const last = !routing && settled === owed;
    if (answer !== undefined) answers.add(answer, last);
    if (last) done();
  };
  const collector = () => collect;
  let answeredBatches: Set<readonly JsonRpcId[]> | undefined;
  const cost = new FrameCost(size);
  for (const value of values) {
    const id = idOf(value);
    const sentTogether = id === null ? undefined : pending?.batchOf(id);
    if (sentTogether !== undefined) (answeredBatches ??= new Set()).add(sentTogether);
    const owes = unparsed ? router.routeUnparsed(value, collector, cost) : router.route(value, collector, cost);
    if (owes) owed++;
  }
  // Our own calls failed here may settle members at once: still while routing, so that
  // the batch is answered once, below.
  if (answeredBatches !== undefined && pending !== undefined) failUnanswered(pending, answeredBatches);
  routing = false;
  if (owed > 0 && settled === owed) done();
  else if (owed > settled) answers.wait();
}

/** A batch is answered in one array: members of ours it left out will get no answer. */
function failUnanswered(pending: PendingCalls, batches: Set<readonly JsonRpcId[]>): void {
  for (const ids of batches) {
    for (const id of ids) {
      if (pending.batchOf(id) !== ids) continue;
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- batchOf(id) above says the call still waits
      const call = pending.take(id)!;
      call.reject(new ProtocolError(`Request ${String(id)} (${call.method}) got no answer in its batch's answer`));
    }
  }
}
