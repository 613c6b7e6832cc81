import type { SchedulerLike } from 'rxjs';
import type { JsonRpcId } from '../../protocol/messages';
import type { Feed } from '../../transports/feed';
import type { IncomingRequest } from '../peer';
import { Answering } from './answer';
import { handlerContext, type HandlerContextSetup } from './handler-context';
import type { HandlerRegistry } from './handlers';
import { peerDefaults, type PeerOptions } from '../options';

/** What the answering side of a peer is made of, besides its options and handlers. */
export interface AnsweringSideSetup extends HandlerContextSetup {
  readonly scheduler: SchedulerLike;
}

/**
 * The answering side of a peer, made at its first call (see `AnsweringOnDemand`): its
 * handlers, from `handlers`, run with contexts made from `setup`, under the limits,
 * concurrency and deadline of `options` (their defaults filled in); `unanswered` hears of
 * each request that ends with no answer; the requests no handler serves go to `unhandled`.
 */
export function answeringSide(
  options: PeerOptions,
  handlers: HandlerRegistry,
  unanswered: ((id: JsonRpcId) => void) | undefined,
  setup: AnsweringSideSetup,
  unhandled: Feed<IncomingRequest>,
): Answering {
  return new Answering({
    handlers,
    unhandled,
    unanswered,
    contextFor: (call, control) => handlerContext(setup, call, control),
    report: setup.report,
    handlerTimeout: options.handlerTimeout ?? peerDefaults.handlerTimeout,
    concurrency: options.handlerConcurrency ?? peerDefaults.handlerConcurrency,
    maxCalls: options.maxAnswering ?? peerDefaults.maxAnswering,
    maxBytes: options.maxAnsweringBytes ?? peerDefaults.maxAnsweringBytes,
    cancel: setup.dialect.cancel,
    scheduler: setup.scheduler,
  });
}
