import { WebSocket } from 'ws';
import { opened, closed } from '../adapters/adapter';
import { within } from './common';

/** W8's listeners: plain `ws` sockets that only time the `tick` notifications they receive. */
export interface FanOutClients {
  /** Resolves once `seq` has reached every client, or with false after `ms`. */
  delivered(seq: number, ms: number): Promise<boolean>;
  /** Ticks received in all, and those out of order per client (a gap, a duplicate). */
  readonly counts: { received: number; outOfOrder: number };
  /** Delivery latency (ms) of each tick from `measuredFrom` on, for the clients of the server that ticks (`local`) and of the other. */
  readonly latencies: { local: number[]; remote: number[] };
  measureFrom(seq: number): void;
  close(): Promise<void>;
}

/** The clock every process of the machine shares (ms since the epoch, sub-millisecond). */
export const sharedNow = (): number => performance.timeOrigin + performance.now();

/**
 * Opens `total` clients, client i on ports[i % 2], `parallel` opening at a time. A client
 * that must ask for the ticks (W10's rpc-websockets row) sends `subscribe` and waits for its answer.
 */
export async function openFanOutClients(
  ports: readonly number[],
  total: number,
  parallel = 50,
  subscribe?: string,
): Promise<FanOutClients> {
  const sockets: WebSocket[] = new Array<WebSocket>(total);
  const lastSeq = new Float64Array(total).fill(-1);
  const bySeq = new Map<number, number>();
  const waiting = new Map<number, () => void>();
  const counts = { received: 0, outOfOrder: 0 };
  const latencies = { local: [] as number[], remote: [] as number[] };
  let measuredFrom = Number.POSITIVE_INFINITY;
  const listen = (socket: WebSocket, index: number) =>
    socket.on('message', (data) => {
      const now = sharedNow();
      const { seq, sentAt } = (JSON.parse(data as unknown as string) as { params: { seq: number; sentAt: number } })
        .params;
      counts.received++;
      if (seq !== lastSeq[index]! + 1) counts.outOfOrder++;
      lastSeq[index] = seq;
      if (seq >= measuredFrom) (index % 2 === 0 ? latencies.local : latencies.remote).push(now - sentAt);
      const reached = (bySeq.get(seq) ?? 0) + 1;
      bySeq.set(seq, reached);
      if (reached === total) waiting.get(seq)?.();
    });
  let next = 0;
  const lane = async () => {
    while (next < total) {
      const index = next++;
      const socket = new WebSocket(`ws://127.0.0.1:${ports[index % ports.length]}`, { perMessageDeflate: false });
      sockets[index] = socket;
      await within(opened(socket), 10_000, `Opening client ${index}`);
      if (subscribe !== undefined) {
        const answered = new Promise((resolve) => socket.once('message', resolve));
        socket.send(subscribe);
        await within(answered, 10_000, `Subscribing client ${index}`);
      }
      listen(socket, index);
    }
  };
  await Promise.all(Array.from({ length: parallel }, lane));
  return {
    counts,
    latencies,
    measureFrom: (seq) => (measuredFrom = seq),
    delivered: (seq, ms) => {
      if ((bySeq.get(seq) ?? 0) === total) return Promise.resolve(true);
      const all = new Promise<boolean>((resolve) => waiting.set(seq, () => resolve(true)));
      return within(all, ms, `tick ${seq}`)
        .catch(() => false)
        .finally(() => waiting.delete(seq));
    },
    close: async () => {
      await Promise.all(sockets.filter(Boolean).map((socket) => within(closed(socket), 5_000, 'Closing a client')));
    },
  };
}
