import type { Backplane, BackplaneListener } from 'rx-jsonrpc/node';

/**
 * A publish/subscribe bus inside the test process: the backplanes it makes hear each other
 * (on a later macrotask, as over a network), for serve() tests that need no Redis.
 */
export class LocalBus {
  private readonly listeners = new Set<BackplaneListener>();
  /** While true, publish rejects, as a backplane whose engine is unreachable does. */
  down = false;
  /** Every text published through the bus, in order. */
  readonly published: string[] = [];

  backplane(): Backplane {
    let own: BackplaneListener | undefined;
    return {
      listen: async (listener) => {
        own = listener;
        this.listeners.add(listener);
      },
      publish: async (text) => {
        if (this.down) throw new Error('the bus is down');
        this.published.push(text);
        this.deliver(text);
      },
      close: async () => {
        if (own !== undefined) this.listeners.delete(own);
      },
    };
  }

  /** Delivers `text` to every listener, as if some process had published it. */
  deliver(text: string): void {
    for (const listener of [...this.listeners]) setImmediate(() => listener.message(text));
  }

  /** Reports `error` to every listener, as a failing engine does. */
  fail(error: Error): void {
    for (const listener of this.listeners) listener.error(error);
  }

  get listening(): number {
    return this.listeners.size;
  }
}
