import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

/**
 * The answer of one POST as a `text/event-stream` (Server-Sent Events), begun by the first
 * message its handlers push (a notification, progress) before their answer: each message is
 * one `message` event, the answer the last, and the response ends with it. A POST whose
 * handlers push nothing is answered with plain JSON, never with a stream.
 */
export interface EventStreamAnswer {
  /** Whether the stream has begun: the response's status and headers are sent. */
  readonly begun: boolean;
  /**
   * Sends one pushed message, beginning the stream if it has not. False, sending nothing,
   * when the response is gone, or when `limit` bytes already wait to be written to a client
   * that does not read (it is not buffered without bound).
   */
  push(frame: string): boolean;
  /** Sends the answer as the last event (or answers, each an event) and ends the response (or just ends it: `undefined`). */
  end(frame: string | readonly string[] | undefined): void;
  /** Begins the stream now, its headers sent at once (a standing stream, which may wait long for its first event). */
  begin(): void;
}

/**
 * Whether the client of `request` takes an event stream as the answer of its POST: its
 * `Accept` names `text/event-stream` (as MCP's Streamable HTTP clients and rx-jsonrpc's
 * `http()` send it), with a quality above 0.
 */
export function acceptsEventStream(request: IncomingMessage): boolean {
  const accept = request.headers.accept;
  if (accept === undefined) return false;
  return accept.split(',').some((range) => {
    const [type = '', ...parameters] = range.split(';');
    if (type.trim().toLowerCase() !== 'text/event-stream') return false;
    const quality = parameters.find((parameter) => parameter.trim().toLowerCase().startsWith('q='));
    return quality === undefined || Number(quality.trim().slice(2)) > 0;
  });
}

/** The answer of `response` as an event stream that begins when first pushed to; see {@link EventStreamAnswer}. */
export function eventStreamAnswer(
  response: ServerResponse,
  headers: OutgoingHttpHeaders,
  limit: number,
): EventStreamAnswer {
  let begun = false;
  const begin = () => {
    if (begun || response.destroyed || response.writableEnded) return;
    begun = true;
    response.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      // Proxies (nginx) would otherwise hold the events until the answer.
      'x-accel-buffering': 'no',
    });
  };
  // A codec's text may span lines; each line of an event's data needs its own `data:`.
  const write = (frame: string) =>
    response.write(
      `event: message\ndata: ${/[\r\n]/.test(frame) ? frame.replace(/\r\n|\r|\n/g, '\ndata: ') : frame}\n\n`,
    );
  return {
    get begun() {
      return begun;
    },
    push: (frame) => {
      if (response.destroyed || response.writableEnded) return false;
      if (!begun) begin();
      else if (response.writableLength > limit) return false;
      write(frame);
      return true;
    },
    end: (frame) => {
      if (response.destroyed || response.writableEnded) return;
      if (typeof frame === 'string') write(frame);
      else if (frame !== undefined) for (const each of frame) write(each);
      response.end();
    },
    begin: () => {
      begin();
      response.flushHeaders();
    },
  };
}
