import { createParser } from 'eventsource-parser';
import { TransportError } from '../protocol/errors';
import { fitsInUtf8 } from '../protocol/utf8-length';

/** How much text is parsed at once, in UTF-16 code units. */
const slice = 16_384;
/** How long parsing may hold the event loop before it lets timers and I/O run, in ms. */
const turn = 10;

/** Where the events of a stream go, one by one, as they are parsed. */
export interface EventSink {
  /** The data of one `message` event: a JSON-RPC message or batch, for the peer. */
  readonly data: (data: string) => void;
  /** The id of an event, for `Last-Event-ID` when the stream is resumed. */
  readonly id: (id: string) => void;
  /** The reconnection time the server asks for, in milliseconds. */
  readonly retry: (ms: number) => void;
}

/**
 * Reads a `text/event-stream` body to its end with `eventsource-parser`, handing each
 * `message` event to `sink` as soon as it is complete; nothing of an event is kept after it,
 * so a stream that never ends holds no memory per event. An event (or a line that never
 * ends) past `limit` bytes cancels the body and rejects with a `TransportError` that is not
 * retryable (never worth resuming); a body that fails rejects with that failure. Events of
 * another type than `message` are skipped, as an EventSource without listeners for them
 * would.
 */
export async function readEvents(
  body: ReadableStream<Uint8Array>,
  limit: number,
  what: string,
  sink: EventSink,
): Promise<void> {
  // Set by the parser's callbacks, inside feed(): an object, so that the check after it is not narrowed away.
  const over = { limit: false };
  const parser = createParser({
    // In UTF-16 code units, which a UTF-8 byte makes at most one of: it bounds the bytes too.
    maxBufferSize: limit,
    onEvent: (event) => {
      if (event.id !== undefined) sink.id(event.id);
      if (event.event !== undefined && event.event !== 'message') return;
      if (!fitsInUtf8(event.data, limit)) over.limit = true;
      // An event without data primes the client with its id (MCP): nothing for the peer.
      else if (event.data !== '') sink.data(event.data);
    },
    onRetry: sink.retry,
    onError: (error) => {
      if (error.type === 'max-buffer-size-exceeded') over.limit = true;
    },
  });
  const reader = body.getReader();
  const decoder = new TextDecoder();
  try {
    let since = Date.now();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      const text = decoder.decode(chunk.value, { stream: true });
      // Slices, and a turn of the event loop every few ms: reads of buffered chunks resolve as
      // microtasks, so a fast stream of small events would otherwise hold the loop for its length.
      for (let at = 0; at < text.length; at += slice) {
        parser.feed(at === 0 && text.length <= slice ? text : text.slice(at, at + slice));
        if (over.limit) {
          const message = `An event from ${what} is larger than maxFrameSize (${limit} bytes): stream aborted`;
          throw new TransportError(message, { retryable: false });
        }
        if (Date.now() - since >= turn) {
          await new Promise((resolve) => setTimeout(resolve, 0));
          since = Date.now();
        }
      }
    }
  } catch (error) {
    reader.cancel().catch(() => undefined);
    throw error;
  }
}
