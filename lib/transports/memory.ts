import { Observable, type Subscriber } from 'rxjs';
import { ConnectionClosedError } from '../protocol/errors';
import type { Connection, Frame, Transport } from './transport';
import { Feed } from './feed';

/** Two transports joined back to back in one process; see {@link memoryPair}. */
export interface MemoryPair {
  /** One end, by convention the client's. */
  readonly client: Transport;
  /** The other end, by convention the server's. */
  readonly server: Transport;
  /**
   * Drops the link as a network would: both connected ends see it close with `code`
   * (default 1006), after the frames already sent have arrived. Either end may connect again.
   */
  drop(code?: number, reason?: string): void;
}

/** How {@link memoryPair} hands messages over. */
export interface MemoryPairOptions {
  /**
   * False to hand message objects from one peer to the other as they are, without JSON text
   * either way, as json-rpc-2.0's client and server in one process do: faster, and values JSON
   * cannot carry (a `Date`, a `Map`, a `BigInt`, a class instance) arrive as they were sent.
   * Each message is still checked as parsed JSON is: its shape, and that it and its params
   * are what JSON could have carried (a plain object, params an array or an object JSON
   * writes as one), else it is refused as JSON-RPC says (-32600). Both peers share the very
   * objects, never copied nor frozen: neither side may change params, results or error data
   * it has sent or received. The peers' `codec` is not used; limits counted in bytes of text
   * (`maxAnswerSize`, what `maxAnsweringBytes` charges per frame) do not apply; the others do.
   * Frames written with `Connection.send()` still arrive as text.
   * @default true
   */
  readonly serialize?: boolean;
}

/** What one end's peer is handed: text frames, and message objects on a pair that does not serialize. */
type Item = string | object;

interface Endpoint {
  readonly frames: Feed<Frame>;
  readonly messages: Feed<object> | undefined;
  readonly subscriber: Subscriber<Connection>;
}

type Side = 0 | 1;

function deliver(endpoint: Endpoint, item: Item): void {
  const messages = endpoint.messages;
  // What send() took (text, or bytes a test sends) is a frame; what sendMessage() took, a message.
  if (typeof item === 'string' || messages === undefined || ArrayBuffer.isView(item))
    endpoint.frames.next(item as Frame);
  else messages.next(item);
}

/**
 * An in-memory link for tests and same-process peers. Frames are delivered asynchronously
 * (in a microtask, in order), as on a real link, so tests see the same re-entrancy as production.
 * Frames sent before the other end connects wait for it. With `serialize: false`, the peers
 * hand each other message objects instead of JSON text (see {@link MemoryPairOptions}).
 *
 * @example
 * ```ts
 * const link = memoryPair();
 * const server = connect(link.server);
 * server.handle('math.sum', ([a, b]: number[]) => a + b);
 * const client = connect(link.client);
 * await client.request('math.sum', [1, 2]); // 3
 *
 * const objects = memoryPair({ serialize: false });
 * connect(objects.server).handle('day', ([date]: [Date]) => date.getUTCDay());
 * await connect(objects.client).request('day', [new Date(0)]); // 4: the Date itself arrived
 * ```
 */
export function memoryPair(options: MemoryPairOptions = {}): MemoryPair {
  const serialize = options.serialize !== false;
  const endpoints: (Endpoint | undefined)[] = [undefined, undefined];
  let inboxes: Item[][] = [[], []];
  let flushScheduled = false;

  const flush = () => {
    flushScheduled = false;
    for (const side of [0, 1] as const) {
      const endpoint = endpoints[side];
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- both sides' inboxes exist from the start
      const inbox = inboxes[side]!;
      if (endpoint === undefined || inbox.length === 0) continue;
      inboxes[side] = [];
      for (const item of inbox) deliver(endpoint, item);
    }
  };
  const scheduleFlush = () => {
    if (flushScheduled) return;
    flushScheduled = true;
    queueMicrotask(flush);
  };

  const close = (code: number, reason: string, closedSide?: Side) => {
    const victims = endpoints.slice();
    const undelivered = inboxes;
    endpoints[0] = endpoints[1] = undefined;
    inboxes = [[], []];
    if (closedSide !== undefined) victims[closedSide] = undefined;
    queueMicrotask(() => {
      for (const side of [0, 1] as const) {
        const victim = victims[side];
        if (victim === undefined) continue;
        // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- both sides' lists exist from the start
        for (const item of undelivered[side]!) deliver(victim, item);
        victim.frames.complete();
        victim.messages?.complete();
        const suffix = reason ? `: ${reason}` : '';
        victim.subscriber.error(new ConnectionClosedError(`Memory link closed (${code}${suffix})`, { code, reason }));
      }
    });
  };

  const end = (side: Side): Transport => ({
    ...(serialize ? {} : { serialize: false }),
    connect: () =>
      new Observable<Connection>((subscriber) => {
        const messages = serialize ? undefined : new Feed<object>();
        const endpoint: Endpoint = { frames: new Feed(), messages, subscriber };
        endpoints[side]?.subscriber.error(new ConnectionClosedError('Memory link replaced by a new connection'));
        endpoints[side] = endpoint;
        // 1 - 0 is 1 and 1 - 1 is 0: the other side
        const other = (1 - side) as Side;
        const isCurrent = () => endpoints[side] === endpoint;
        const send = (item: Item) => {
          if (!isCurrent()) return;
          // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- both sides' inboxes exist from the start
          inboxes[other]!.push(item);
          scheduleFlush();
        };
        const connection: Connection = {
          info: { transport: 'memory' },
          frames$: endpoint.frames,
          send,
          close: (code = 1000, reason = '') => {
            if (isCurrent()) close(code, reason);
          },
        };
        subscriber.next(
          messages === undefined ? connection : { ...connection, messages$: messages, sendMessage: send },
        );
        scheduleFlush();
        return () => {
          endpoint.frames.complete();
          messages?.complete();
          if (isCurrent()) close(1000, '', side);
        };
      }),
  });

  return { client: end(0), server: end(1), drop: (code = 1006, reason = '') => close(code, reason) };
}
