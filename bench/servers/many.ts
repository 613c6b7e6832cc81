// What every server process of W9 and W10 answers besides `cpu`: how many clients it holds,
// its heap after a full collection (W9), and a broadcast of one tick (W10).
import { getHeapSpaceStatistics } from 'node:v8';
import { answer } from './child';

/** The two things a W9/W10 server does its own way. */
export interface ManyServer {
  /** Connections open now. */
  count(): number;
  /** Sends `{ seq, sentAt }` as a notification `tick` to every client, the library's way. */
  broadcast(seq: number, sentAt: number): void;
}

/** The heap after two full collections: used bytes in all, per heap space, and outside the heap. */
export interface HeapReading {
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
  readonly rss: number;
  readonly spaces: Record<string, number>;
}

function heap(): HeapReading {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('W9 starts its servers with node --expose-gc');
  gc();
  gc();
  const { heapUsed, external, arrayBuffers, rss } = process.memoryUsage();
  const spaces: Record<string, number> = {};
  for (const space of getHeapSpaceStatistics()) spaces[space.space_name] = space.space_used_size;
  return { heapUsed, external, arrayBuffers, rss, spaces };
}

/** Answers the workload's questions about `server`. */
export function answerMany(server: ManyServer): void {
  answer(({ type, seq }) => {
    if (type === 'clients') return { count: server.count() };
    // Only W9 asks, and only of a process started with --expose-gc.
    if (type === 'heap') return { ...heap() };
    if (type !== 'tick') return undefined;
    server.broadcast(seq as number, performance.timeOrigin + performance.now());
    return {};
  });
}
