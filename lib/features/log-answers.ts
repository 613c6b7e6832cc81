import type { Subscription } from 'rxjs';
import type { JsonRpcId } from '../protocol/messages';
import type { Logger } from '../peer/options';
import type { AnyPeer } from '../peer/peer';
import { callLine, type CallLogFields, type CallOutcome } from './log-calls';
import { clip, logLine, shownId, since, type LogLevel } from './log-line';

/** The most calls being answered that {@link logAnswers} keeps track of; past it, the oldest is forgotten unlogged. */
const maxOpen = 10_000;

/** A call being answered, as the log knows it. */
interface Open {
  readonly method: string;
  readonly id: JsonRpcId | null;
  readonly start: number;
  cancelled: boolean;
}

// What our own encoder writes first: an answer's id and kind read without parsing its result.
const answerStart =
  /^\{"jsonrpc":"2\.0",(?:"id":(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|"(?:[^"\\]|\\.)*"|null),)?"(result|error|method)"/;

/**
 * Writes one line per call `peer` answers, built on what the peer shows (its `incoming$`
 * for the calls, its `trace$` for the answers), so a peer that does not log carries none of
 * it: the answer's outcome at `debug` for a result, `warn` for an error answer; a call its
 * caller cancelled (the dialect's cancel notification) at `debug`, and so a call left
 * unanswered because the link closed under it (`'abandoned'`). Fields as `logCalls()`'s,
 * with `rpc: 'answer'`. While it runs, the peer builds its `trace$` events and this reads
 * each answer frame's start (the whole frame only for an error answer, a batch's, or the
 * text of a codec of your own). With `relinks`, a drop of a peer that reconnects abandons
 * the calls of the link that dropped too (a server's peers never reconnect: they need not
 * pay for watching `state$`). Unsubscribe to stop.
 */
export function logAnswers(peer: AnyPeer, logger: Logger, relinks = false): Subscription {
  // Lifetime: one Map per logged peer, an entry from a request's arrival to its answer.
  const open = new Map<JsonRpcId | null, Open>();
  const cancel = peer.dialect.cancel;
  const end = (
    call: Open,
    level: LogLevel,
    outcome: CallOutcome | 'abandoned',
    failure?: { code?: number; error: string },
  ) => {
    open.delete(call.id);
    const fields: CallLogFields = {
      rpc: 'answer',
      method: clip(call.method),
      id: shownId(call.id),
      ms: since(call.start),
      outcome,
      ...failure,
    };
    logLine(logger, level, fields, callLine(fields));
  };
  const abandonAll = () => {
    for (const call of [...open.values()]) end(call, 'debug', 'abandoned');
  };
  const answered = (answer: unknown) => {
    // A request of the peer's own (a handler calling the other side) has an id too, numbered apart: no answer.
    if (typeof answer !== 'object' || answer === null || !('id' in answer) || 'method' in answer) return;
    // a lookup of anything but an id in flight finds nothing
    const call = open.get(answer.id as JsonRpcId | null);
    if (call === undefined) return;
    if (call.cancelled) end(call, 'debug', 'cancelled');
    else if (!('error' in answer)) end(call, 'debug', 'result');
    else {
      // our own answer's error object, or a codec's: only what has the expected type is read
      const { code, message } = (answer.error ?? {}) as { code?: unknown; message?: unknown };
      end(call, 'warn', 'error', {
        code: typeof code === 'number' ? code : undefined,
        error: typeof message === 'string' ? clip(message) : '',
      });
    }
  };
  const subscription = peer.incoming$.subscribe({
    next: ({ kind, message }) => {
      if (kind === 'request') {
        open.delete(message.id); // an id used again: the newer call is the one its answer will be for
        open.set(message.id, { method: message.method, id: message.id, start: performance.now(), cancelled: false });
        if (open.size > maxOpen) open.delete(open.keys().next().value ?? null);
      } else if (kind === 'notification' && cancel !== undefined && message.method === cancel.method) {
        // the dialect's reading of the params: a lookup of anything but an id in flight finds nothing
        const call = open.get(cancel.idOf(message.params) as JsonRpcId);
        if (call === undefined) return;
        // Answered as the dialect says (LSP: -32800), or not at all (MCP): then this is the end of it.
        if (cancel.answer === undefined) end(call, 'debug', 'cancelled');
        else call.cancelled = true;
      }
    },
    complete: () => abandonAll(),
  });
  if (relinks) subscription.add(peer.state$.subscribe(({ status }) => status === 'reconnecting' && abandonAll()));
  subscription.add(
    peer.trace$.subscribe((event) => {
      if (event.kind !== 'out' || open.size === 0) return;
      if (event.message !== undefined) return answersOf(event.message, answered);
      const start = answerStart.exec(event.frame);
      if (start?.[2] === 'method') return;
      // A result's id is read from the start alone: a large result is not parsed again.
      if (start?.[2] === 'result' && start[1] !== undefined) {
        const id: unknown = JSON.parse(start[1]);
        return answered({ id });
      }
      let value: unknown;
      try {
        value = JSON.parse(event.frame);
      } catch {
        return; // a codec's text that is not JSON: its answers go unlogged
      }
      answersOf(value, answered);
    }),
  );
  return subscription;
}

/** Hands `each` the answers a frame holds: itself, or a batch's members. */
function answersOf(value: unknown, each: (answer: unknown) => void): void {
  if (Array.isArray(value)) for (const member of value) each(member);
  else each(value);
}
