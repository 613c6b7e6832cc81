import { manyRowsByKey, type ManyRow } from '../servers/many-rows';
import { cpuSince, emptySamples, record, type Samples, type WorkloadConfig } from './common';
import { openFanOutClients, type FanOutClients } from './fan-out-clients';
import { holding } from './many-clients';
import { startServerProcess, type ServerProcess } from './server-process';

/** W10's samples per row, and what the rows' clients received in all. */
export interface BroadcastResult {
  readonly rows: readonly Samples[];
  /** Per row: ticks the clients received after the warm-up, and the ticks × clients expected. */
  readonly deliveries: Record<string, { delivered: number; expected: number; outOfOrder: number }>;
}

/** One row's server process and its clients. */
interface Fleet {
  readonly row: ManyRow;
  readonly server: ServerProcess;
  readonly clients: FanOutClients;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function open(row: ManyRow, count: number): Promise<Fleet> {
  const server = await startServerProcess(row.entry);
  let clients: FanOutClients | undefined;
  try {
    clients = await openFanOutClients([server.port], count, 50, row.subscribe);
    await holding(server, count, row.name);
    return { row, server, clients };
  } catch (error) {
    await clients?.close().catch(() => undefined);
    await server.stop();
    throw error;
  }
}

/** Has the server broadcast tick `seq` and waits until every client has it (or `ms` passed). */
async function tick(fleet: Fleet, seq: number, ms: number): Promise<void> {
  await fleet.server.ask({ type: 'tick', seq });
  await fleet.clients.delivered(seq, ms);
}

/**
 * W10: every server in its own process at once, each with `clients` raw `ws` clients (this
 * process). Rows take turns by round; in its turn a row's server broadcasts `broadcasts`
 * ticks, each `gapMs` after the previous one reached every client, and reports the CPU it
 * spent over them (its own process.cpuUsage()), divided here by the deliveries.
 */
export async function w10Broadcast(config: WorkloadConfig): Promise<BroadcastResult> {
  const { clients: count, broadcasts, warmup, gapMs, tickTimeoutMs } = config.sizes as Record<string, number>;
  const rows = manyRowsByKey(config.adapters);
  const samples = emptySamples(rows);
  const fleets: Fleet[] = [];
  try {
    // One after the other: 50 connections opening at a time, whatever the number of rows.
    for (const row of rows) fleets.push(await open(row, count!));
    let seq = 0;
    for (; seq < warmup!; seq++) for (const fleet of fleets) await tick(fleet, seq, tickTimeoutMs!);
    for (const fleet of fleets) fleet.clients.measureFrom(seq);
    for (let round = 0; round < config.rounds; round++) {
      for (const [index, fleet] of fleets.entries()) {
        const serverBefore = await fleet.server.cpu();
        const clientBefore = process.cpuUsage();
        for (let each = 0; each < broadcasts!; each++) {
          await delay(gapMs!);
          await tick(fleet, seq + each, tickTimeoutMs!);
        }
        const clientCpu = cpuSince(clientBefore);
        const serverCpu = (await fleet.server.cpu()) - serverBefore;
        record(samples[index]!, 'serverCpuMicrosPerDelivery', serverCpu / (broadcasts! * count!));
        record(samples[index]!, 'clientCpuMicrosPerDelivery', clientCpu / (broadcasts! * count!));
      }
      seq += broadcasts!;
    }
    const deliveries: BroadcastResult['deliveries'] = {};
    for (const fleet of fleets) {
      const { local, remote } = fleet.clients.latencies;
      deliveries[fleet.row.key] = {
        delivered: local.length + remote.length,
        expected: config.rounds * broadcasts! * count!,
        outOfOrder: fleet.clients.counts.outOfOrder,
      };
    }
    return { rows: samples, deliveries };
  } finally {
    for (const fleet of fleets) await fleet.clients.close().catch(() => undefined);
    await Promise.all(fleets.map((fleet) => fleet.server.stop()));
  }
}
