import type { SchedulerLike } from 'rxjs';
import type { JsonRpcId } from '../../protocol/messages';
import { Answering } from './answer';
import { AnsweringOnDemand } from './answering-on-demand';
import { handlerContext, type HandlerContextSetup } from './handler-context';
import type { HandlerRegistry } from './handlers';
import { peerDefaults, type PeerOptions } from '../options';

/** What the answering side of a peer is made of, besides its options and handlers. */
export interface AnsweringSideSetup extends HandlerContextSetup {
  readonly scheduler: SchedulerLike;
}

/**
 * The answering side of a peer, made at its first call (see {@link AnsweringOnDemand}): its
 * handlers, from `handlers`, run with contexts made from what `setup()` returns then, under
 * the limits, concurrency and deadline of `options` (their defaults filled in); `unanswered`
 * hears of each request that ends with no answer.
 */
export function answeringSide(
  options: PeerOptions,
  handlers: HandlerRegistry,
  unanswered: ((id: JsonRpcId) => void) | undefined,
  setup: () => AnsweringSideSetup,
): AnsweringOnDemand {
  return new AnsweringOnDemand(handlers, (unhandled) => {
    const made = setup();
    return new Answering({
      handlers,
      unhandled,
      unanswered,
      contextFor: (call, control) => handlerContext(made, call, control),
      report: made.report,
      handlerTimeout: options.handlerTimeout ?? peerDefaults.handlerTimeout,
      concurrency: options.handlerConcurrency ?? peerDefaults.handlerConcurrency,
      maxCalls: options.maxAnswering ?? peerDefaults.maxAnswering,
      maxBytes: options.maxAnsweringBytes ?? peerDefaults.maxAnsweringBytes,
      cancel: made.dialect.cancel,
      scheduler: made.scheduler,
    });
  });
}
