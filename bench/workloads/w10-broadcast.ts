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

/** A fleet and the next tick it broadcasts (each fleet's clients see their ticks in order, 0, 1, 2…). */
interface Running {
  readonly fleet: Fleet;
  seq: number;
}

/** Has the server broadcast tick `seq` and waits until every client has it (or `ms` passed). */
async function tick(fleet: Fleet, seq: number, ms: number): Promise<void> {
  await fleet.server.ask({ type: 'tick', seq });
  await fleet.clients.delivered(seq, ms);
}

/**
 * W10: each server in its own process with `clients` raw `ws` clients (this process), side by
 * side with the limit's and no other: the limit's fleet stays up, and each other row's comes up
 * in turn. The two take turns by round (the limit first in even rounds, second in odd ones); in
 * its turn a server broadcasts `broadcasts` ticks, each `gapMs` after the previous one reached
 * every client, and reports the CPU it spent over them (its own process.cpuUsage()), divided
 * here by the deliveries. With all five servers up at once, each holding its 1,000 clients,
 * the same server's CPU per delivery moved by 30% from one round to the next.
 */
export async function w10Broadcast(config: WorkloadConfig): Promise<BroadcastResult> {
  const { clients: count, broadcasts, warmup, gapMs, tickTimeoutMs } = config.sizes as Record<string, number>;
  const rows = manyRowsByKey(config.adapters);
  const samples = emptySamples(rows);
  const deliveries: BroadcastResult['deliveries'] = {};
  const warmUp = async (running: Running) => {
    for (let each = 0; each < warmup!; each++) await tick(running.fleet, running.seq++, tickTimeoutMs!);
    running.fleet.clients.measureFrom(running.seq);
  };
  // One turn: `broadcasts` ticks; the server's CPU per delivery.
  const turn = async (running: Running): Promise<number> => {
    const serverBefore = await running.fleet.server.cpu();
    const clientBefore = process.cpuUsage();
    for (let each = 0; each < broadcasts!; each++) {
      await delay(gapMs!);
      await tick(running.fleet, running.seq++, tickTimeoutMs!);
    }
    const clientCpu = cpuSince(clientBefore);
    const serverCpu = (await running.fleet.server.cpu()) - serverBefore;
    const index = rows.indexOf(running.fleet.row);
    record(samples[index]!, 'clientCpuMicrosPerDelivery', clientCpu / (broadcasts! * count!));
    return serverCpu / (broadcasts! * count!);
  };
  const tally = (running: Running) => {
    const { fleet } = running;
    const { local, remote } = fleet.clients.latencies;
    const turns = samples[rows.indexOf(fleet.row)]!.metrics.serverCpuMicrosPerDelivery?.length ?? 0;
    deliveries[fleet.row.key] = {
      delivered: local.length + remote.length,
      expected: turns * broadcasts! * count!,
      outOfOrder: fleet.clients.counts.outOfOrder,
    };
  };
  const [limitRow, ...others] = rows;
  if (limitRow === undefined) return { rows: samples, deliveries };
  const limit: Running = { fleet: await open(limitRow, count!), seq: 0 };
  try {
    await warmUp(limit);
    if (others.length === 0) {
      for (let round = 0; round < config.rounds; round++)
        record(samples[0]!, 'serverCpuMicrosPerDelivery', await turn(limit));
    }
    for (const row of others) {
      const index = rows.indexOf(row);
      const other: Running = { fleet: await open(row, count!), seq: 0 };
      try {
        await warmUp(other);
        for (let round = 0; round < config.rounds; round++) {
          const limitFirst = round % 2 === 0;
          const first = await turn(limitFirst ? limit : other);
          const second = await turn(limitFirst ? other : limit);
          const [limitCpu, cpu] = limitFirst ? [first, second] : [second, first];
          record(samples[0]!, 'serverCpuMicrosPerDelivery', limitCpu);
          record(samples[index]!, 'serverCpuMicrosPerDelivery', cpu);
          // The limit's turns beside this row's: its ratio is to these, not to the limit's other pairs.
          record(samples[index]!, 'limitCpuMicrosPerDelivery', limitCpu);
        }
        tally(other);
      } finally {
        await other.fleet.clients.close().catch(() => undefined);
        await other.fleet.server.stop();
      }
    }
    tally(limit);
    return { rows: samples, deliveries };
  } finally {
    await limit.fleet.clients.close().catch(() => undefined);
    await limit.fleet.server.stop();
  }
}
