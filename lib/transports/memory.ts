import { Observable, type Subscriber } from 'rxjs';
import { ConnectionClosedError } from '../protocol/errors';
import type { Connection, Frame, Transport } from './transport';

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

interface Endpoint {
  readonly frames: Feed;
  readonly subscriber: Subscriber<Connection>;
}

/**
 * The incoming frames of one end, hot, as a Subject would give them, without the closure and
 * iterator a Subject makes for every value: subscribers are kept in an array replaced on each
 * change, so that one leaving while a frame is delivered does not disturb the delivery.
 */
class Feed {
  private subscribers: readonly Subscriber<Frame>[] = [];
  private ended = false;

  readonly frames$ = new Observable<Frame>((subscriber) => {
    if (this.ended) return subscriber.complete();
    this.subscribers = [...this.subscribers, subscriber];
    return () => {
      this.subscribers = this.subscribers.filter((each) => each !== subscriber);
    };
  });

  next(frame: Frame): void {
    const subscribers = this.subscribers;
    for (let i = 0; i < subscribers.length; i++) subscribers[i]?.next(frame);
  }

  complete(): void {
    if (this.ended) return;
    this.ended = true;
    const subscribers = this.subscribers;
    this.subscribers = [];
    for (const subscriber of subscribers) subscriber.complete();
  }
}

type Side = 0 | 1;

/**
 * An in-memory link for tests and same-process peers. Frames are delivered asynchronously
 * (in a microtask, in order), as on a real link, so tests see the same re-entrancy as production.
 * Frames sent before the other end connects wait for it.
 *
 * @example
 * ```ts
 * const link = memoryPair();
 * const server = connect(link.server);
 * server.handle('math.sum', ([a, b]: number[]) => a + b);
 * const client = connect(link.client);
 * await client.request('math.sum', [1, 2]); // 3
 * ```
 */
export function memoryPair(): MemoryPair {
  const endpoints: (Endpoint | undefined)[] = [undefined, undefined];
  let inboxes: Frame[][] = [[], []];
  let flushScheduled = false;

  const flush = () => {
    flushScheduled = false;
    for (const side of [0, 1] as const) {
      const endpoint = endpoints[side];
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- both sides' inboxes exist from the start
      const inbox = inboxes[side]!;
      if (endpoint === undefined || inbox.length === 0) continue;
      inboxes[side] = [];
      for (const frame of inbox) endpoint.frames.next(frame);
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
        for (const frame of undelivered[side]!) victim.frames.next(frame);
        victim.frames.complete();
        const suffix = reason ? `: ${reason}` : '';
        victim.subscriber.error(new ConnectionClosedError(`Memory link closed (${code}${suffix})`, { code, reason }));
      }
    });
  };

  const end = (side: Side): Transport => ({
    connect: () =>
      new Observable<Connection>((subscriber) => {
        const endpoint: Endpoint = { frames: new Feed(), subscriber };
        endpoints[side]?.subscriber.error(new ConnectionClosedError('Memory link replaced by a new connection'));
        endpoints[side] = endpoint;
        // 1 - 0 is 1 and 1 - 1 is 0: the other side
        const other = (1 - side) as Side;
        const isCurrent = () => endpoints[side] === endpoint;
        subscriber.next({
          info: { transport: 'memory' },
          frames$: endpoint.frames.frames$,
          send: (frame) => {
            if (!isCurrent()) return;
            // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- both sides' inboxes exist from the start
            inboxes[other]!.push(frame);
            scheduleFlush();
          },
          close: (code = 1000, reason = '') => {
            if (isCurrent()) close(code, reason);
          },
        });
        scheduleFlush();
        return () => {
          endpoint.frames.complete();
          if (isCurrent()) close(1000, '', side);
        };
      }),
  });

  return { client: end(0), server: end(1), drop: (code = 1006, reason = '') => close(code, reason) };
}
