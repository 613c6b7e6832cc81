import type { SchedulerLike } from 'rxjs';
import { Answering } from './answer';
import { handlerContext, type HandlerContextSetup } from './handler-context';
import type { HandlerRegistry } from './handlers';
import { peerDefaults, type PeerOptions } from '../options';

/** What the answering side of a peer is made of, besides its options. */
export interface AnsweringSideSetup extends HandlerContextSetup {
  readonly handlers: HandlerRegistry;
  readonly scheduler: SchedulerLike;
}

/**
 * The answering side of a peer: its handlers run with contexts made from `setup`, under the
 * limits, concurrency and deadline of `options` (their defaults filled in).
 */
export function answeringSide(options: PeerOptions, setup: AnsweringSideSetup): Answering {
  return new Answering({
    handlers: setup.handlers,
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
