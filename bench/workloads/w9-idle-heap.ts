import { manyRowsByKey } from '../servers/many-rows';
import type { HeapReading } from '../servers/many';
import type { WorkloadConfig } from './common';
import { openFanOutClients, type FanOutClients } from './fan-out-clients';
import { holding } from './many-clients';
import { startServerProcess, type ServerProcess } from './server-process';

/** What one idle connection costs a server, per row, in bytes. */
export interface IdleHeapRow {
  readonly key: string;
  readonly name: string;
  readonly connections: number;
  /** The JS heap after a full collection. */
  readonly heapPerConnection: number;
  /** Memory outside the JS heap that JS objects hold (Buffers among it). */
  readonly externalPerConnection: number;
  readonly rssPerConnection: number;
  /** The heap's growth per connection in each V8 heap space that grew by a byte or more. */
  readonly spacesPerConnection: Record<string, number>;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function perConnection(before: HeapReading, after: HeapReading, count: number): Omit<IdleHeapRow, 'key' | 'name'> {
  const spaces: Record<string, number> = {};
  for (const [space, used] of Object.entries(after.spaces)) {
    const grown = (used - (before.spaces[space] ?? 0)) / count;
    if (Math.abs(grown) >= 1) spaces[space] = grown;
  }
  return {
    connections: count,
    heapPerConnection: (after.heapUsed - before.heapUsed) / count,
    externalPerConnection: (after.external - before.external) / count,
    rssPerConnection: (after.rss - before.rss) / count,
    spacesPerConnection: spaces,
  };
}

/**
 * W9: each server alone in its own process (node --expose-gc), one after the other. After
 * `warmup` connections have come and gone, its heap after a full collection is read before
 * and after `connections` idle raw `ws` clients (this process) have connected, `parallel`
 * opening at a time; all of them are closed, and the server stopped by its pid, before the
 * next row starts.
 */
export async function w9IdleHeap(config: WorkloadConfig): Promise<IdleHeapRow[]> {
  const { connections: count, warmup, parallel, settleMs } = config.sizes as Record<string, number>;
  const rows: IdleHeapRow[] = [];
  for (const row of manyRowsByKey(config.adapters)) {
    let server: ServerProcess | undefined;
    let clients: FanOutClients | undefined;
    try {
      server = await startServerProcess(row.entry, {}, ['--expose-gc']);
      // A few connections come and go first, so that the code compiled for the first ones is not counted per connection.
      const early = await openFanOutClients([server.port], warmup!, parallel);
      await holding(server, warmup!, row.name);
      await early.close();
      await holding(server, 0, row.name);
      await delay(settleMs!);
      const before = await server.ask<HeapReading>({ type: 'heap' });
      // Idle: no client subscribes to anything (rpc-websockets keeps its subscriptions per connection).
      clients = await openFanOutClients([server.port], count!, parallel);
      await holding(server, count!, row.name);
      await delay(settleMs!);
      const after = await server.ask<HeapReading>({ type: 'heap' });
      rows.push({ key: row.key, name: row.name, ...perConnection(before, after, count!) });
    } finally {
      await clients?.close().catch(() => undefined);
      await server?.stop();
    }
  }
  return rows;
}
