import type { Socket } from 'node:net';

/** A request held by its connection's queue; see {@link connectionQueues}. */
export interface Queued {
  /**
   * Resolves once every request that came before it on its connection has its answer
   * written out (or the connection has closed): a POST makes its peer then, not before.
   */
  readonly turn: Promise<void> | undefined;
  /** Leaves the queue: its answer is written out. Safe to call more than once. */
  leave(): void;
  /** Sets what runs if the connection closes before it left (its client has gone). */
  whenGone(gone: () => void): void;
}

/** The requests of one connection, in the order they came. */
interface Queue {
  readonly held: Set<Entry>;
}

interface Entry {
  go: (() => void) | undefined;
  gone: () => void;
}

/**
 * Keeps the requests of each connection in a queue, so that a client pipelining POSTs on
 * one connection gets them answered one at a time, in order (HTTP/1.1 sends the answers in
 * that order anyway): node:http emits 'request' for every request it has parsed at once,
 * and would otherwise let one socket start thousands of peers. `join` returns undefined
 * when the connection already holds `depth` requests: the caller cuts it (a client that
 * sends more without reading its answers is not one we can serve). When a connection
 * closes, each request it held hears `whenGone` and every turn resolves, so nothing waits
 * on a client that has left.
 */
export function connectionQueues(depth: number): { readonly join: (socket: Socket) => Queued | undefined } {
  const queues = new WeakMap<Socket, Queue>();

  const open = (socket: Socket): Queue => {
    const queue: Queue = { held: new Set() };
    queues.set(socket, queue);
    // One listener per connection, however many requests it carries.
    socket.once('close', () => {
      queues.delete(socket);
      const held = [...queue.held];
      queue.held.clear();
      for (const entry of held) {
        entry.gone();
        entry.go?.();
      }
    });
    return queue;
  };

  const join = (socket: Socket): Queued | undefined => {
    if (socket.destroyed) return undefined;
    const queue = queues.get(socket) ?? open(socket);
    if (queue.held.size >= depth) return undefined;
    const entry: Entry = { go: undefined, gone: () => undefined };
    const first = queue.held.size === 0;
    queue.held.add(entry);
    const turn = first ? undefined : new Promise<void>((go) => (entry.go = go));
    return {
      turn,
      leave: () => {
        if (!queue.held.delete(entry)) return;
        // The oldest request still held is next: its answer is the one node:http sends next.
        const next: Entry | undefined = queue.held.values().next().value;
        const go = next?.go;
        if (next !== undefined) next.go = undefined;
        go?.();
      },
      whenGone: (gone) => {
        entry.gone = gone;
      },
    };
  };

  return { join };
}
