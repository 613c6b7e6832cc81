// Issue 26's part of docs/benchmarks.md: W9 (heap per idle connection) and W10 (broadcast
// cost), each server in its own process, with the issue's targets for them.
import type { Target } from './report-fan-out';
import { fixed, integer, micros, table, times } from './report-format';
import type { RunResults } from './results';
import { manyOursKey } from './servers/many-rows';
import { median, spread } from './stats';
import type { Samples } from './workloads/common';
import type { BroadcastResult } from './workloads/w10-broadcast';
import type { IdleHeapRow } from './workloads/w9-idle-heap';

const kib = (bytes: number) => fixed(bytes / 1024, 2);
const value = (row: Samples | undefined, metric: string): number => median(row?.metrics[metric] ?? []);
const verdict = (met: boolean | undefined) => (met === undefined ? 'not measured' : met ? '**met**' : '**missed**');
const bold = (name: string, first: boolean) => (first ? `**${name}**` : name);

function heapTarget(w9: readonly IdleHeapRow[]): Target {
  const limit = w9[0];
  const ours = w9.find((row) => row.key === manyOursKey);
  const known = limit !== undefined && ours !== undefined && limit !== ours;
  const ratio = known ? ours.heapPerConnection / limit.heapPerConnection : Number.NaN;
  const others = w9.filter((row) => row !== limit && row !== ours);
  return {
    row: [
      `W9 serve(): heap per idle connection ≤ 2× a bare ws connection`,
      known ? `${kib(ours.heapPerConnection)} vs ${kib(limit.heapPerConnection)} KiB (${times(ratio)})` : '—',
      verdict(known ? ratio <= 2 : undefined),
    ],
    ifMissed: known
      ? `serve() keeps ${kib(ours.heapPerConnection - limit.heapPerConnection)} KiB per idle connection on top of the \`ws\` socket it sits on (${others.map((row) => `${row.name}: ${kib(row.heapPerConnection - limit.heapPerConnection)} KiB`).join(', ')}): the peer serve() builds for each connection. The per-space breakdown is in W9; where inside the peer it goes takes a heap snapshot of the server (issue 26).`
      : '',
  };
}

function broadcastTargets(w10: BroadcastResult | undefined): Target[] {
  const limit = w10?.rows[0];
  const ours = w10?.rows.find((row) => row.key === manyOursKey);
  const cpu = value(ours, 'serverCpuMicrosPerDelivery');
  // The limit's turns that ran beside ours, not those beside the other rows.
  const limitCpu = value(ours, 'limitCpuMicrosPerDelivery');
  const known = Number.isFinite(cpu) && Number.isFinite(limitCpu) && limit !== ours;
  const count = w10?.deliveries[manyOursKey];
  const noise = Math.max(
    spread(ours?.metrics.serverCpuMicrosPerDelivery ?? []),
    spread(ours?.metrics.limitCpuMicrosPerDelivery ?? []),
  );
  return [
    {
      row: [
        `W10 serve() notifyAll(): server CPU per delivery ≤ 1.05× the hand-written loop`,
        known ? `${micros(cpu)} vs ${micros(limitCpu)} µs (${times(cpu / limitCpu)})` : '—',
        verdict(known ? cpu <= limitCpu * 1.05 : undefined),
      ],
      ifMissed:
        cpu / limitCpu - 1 < noise / 100
          ? `The rounds of the two rows disagree by up to ${fixed(noise, 0)}% among themselves, more than this miss: a quiet run is to confirm it.`
          : `serve() spends ${micros(cpu - limitCpu)} µs more per delivery than the loop that sends one encoded text to each \`ws\` socket: what notifyAll() does per peer besides the socket's send (\`lib/node/serve-notify-all.ts\`: the frame is encoded once, then handed to each peer's own send path).`,
    },
    {
      row: [
        `W10 serve() notifyAll(): every delivery arrives`,
        count === undefined ? '—' : `${integer(count.delivered)} of ${integer(count.expected)}`,
        verdict(count === undefined ? undefined : count.delivered === count.expected && count.outOfOrder === 0),
      ],
      ifMissed: `${integer(count?.outOfOrder ?? 0)} out of order.`,
    },
  ];
}

/** The targets section and the W9 and W10 sections; nothing when neither ran. */
export function manySections(results: RunResults): string[] {
  const w9Step = results.steps.w9?.step;
  const w9 = (results.steps.w9?.result ?? []) as IdleHeapRow[];
  const w10Step = results.steps.w10?.step;
  const w10 = results.steps.w10?.result as BroadcastResult | undefined;
  if (w9Step === undefined && w10Step === undefined) return [];
  const targets = [heapTarget(w9), ...broadcastTargets(w10)];
  const missed = targets.filter((each) => each.row[2] === verdict(false));
  const sections = [
    `## Per connection (issue 26)`,
    `What a server pays for each connection it holds, and for each delivery of a broadcast: each server in its own process on 127.0.0.1, port 0 (\`bench/servers/many-*.ts\`), the clients plain \`ws\` sockets in the workload's process that never call (\`bench/workloads/fan-out-clients.ts\`). The limit is a plain \`ws\` server that keeps nothing of its own per connection and broadcasts with a hand-written loop sending one encoded text to each socket. rx-jsonrpc's row is \`serve()\` with its defaults (heartbeat included) and one \`echo\` handler registered per connection; json-rpc-2.0 has a \`JSONRPCServerAndClient\` per connection (one shared \`JSONRPCServer\`), as its README pairs it with a WebSocket; rpc-websockets is its \`Server\` with \`echo\` registered and a \`tick\` event.`,
    table(
      ['target (issue 26)', 'measured', 'verdict'],
      targets.map((each) => each.row),
    ),
    ...(missed.length === 0 ? [] : [missed.map((each) => `- **${each.row[0]}**: ${each.ifMissed}`).join('\n')]),
  ];
  if (w9Step !== undefined) {
    const { sizes } = w9Step;
    const limit = w9[0];
    sections.push(
      `## W9 heap per idle connection`,
      `Each server alone, in turn, in a process started with \`--expose-gc\`. ${integer(sizes.warmup ?? 0)} connections come and go first (the code compiled for them is not a connection's cost); then the server's heap after two full collections (\`gc()\`, \`process.memoryUsage()\`, \`v8.getHeapSpaceStatistics()\`) is read before and after ${integer(sizes.connections ?? 0)} idle connections have opened, ${sizes.parallel ?? 50} opening at a time, and the difference divided by their number. The heap columns are the growth of the V8 heap spaces that grew; RSS also holds what the collector has not given back, so it only bounds the others.`,
      table(
        ['server', 'heap KiB/connection', '× limit', 'old space', 'large objects', 'code', 'RSS KiB/connection'],
        w9.map((row) => [
          bold(row.name, row === limit),
          kib(row.heapPerConnection),
          times(row.heapPerConnection / (limit?.heapPerConnection ?? Number.NaN)),
          kib(row.spacesPerConnection.old_space ?? 0),
          kib(row.spacesPerConnection.large_object_space ?? 0),
          kib(row.spacesPerConnection.code_space ?? 0),
          kib(row.rssPerConnection),
        ]),
      ),
    );
  }
  if (w10Step !== undefined && w10 !== undefined) {
    const { sizes } = w10Step;
    const limit = w10.rows[0];
    sections.push(
      `## W10 broadcast to ${integer(sizes.clients ?? 0)} clients`,
      `Each server has ${integer(sizes.clients ?? 0)} clients and runs beside the limit's and no other (the limit's clients stay up, each other server's come up in turn); the two take turns for ${w10Step.rounds} rounds (the limit first in even rounds), after ${sizes.warmup ?? 0} broadcasts each to warm up; in its turn a server broadcasts ${sizes.broadcasts ?? 0} notifications \`tick { seq, sentAt }\`, each ${sizes.gapMs ?? 0} ms after the previous one reached every client. Server CPU per delivery is the server process's own \`process.cpuUsage()\` over its turn divided by broadcasts × clients (the median of the rounds), and × limit is to the limit's turns beside it (with all five servers up at once, each holding its clients, the same server's CPU per delivery moved by 30% from one round to the next); the load generator's is there to show the clients' share. rpc-websockets sends an event only to the clients that subscribed (\`rpc.on\`), so its clients subscribe once, before the count starts; its notifications are \`{ notification, params }\`, not JSON-RPC.`,
      table(
        ['server', 'server CPU µs/delivery', '× limit', 'load generator CPU µs/delivery', 'spread', 'delivered'],
        w10.rows.map((row) => {
          const count = w10.deliveries[row.key];
          return [
            bold(row.name, row === limit),
            micros(value(row, 'serverCpuMicrosPerDelivery')),
            times(
              value(row, 'serverCpuMicrosPerDelivery') /
                value(
                  row === limit ? limit : row,
                  row === limit ? 'serverCpuMicrosPerDelivery' : 'limitCpuMicrosPerDelivery',
                ),
            ),
            micros(value(row, 'clientCpuMicrosPerDelivery')),
            `${fixed(spread(row.metrics.serverCpuMicrosPerDelivery ?? []), 0)}%`,
            count === undefined
              ? '—'
              : `${integer(count.delivered)} of ${integer(count.expected)}${count.outOfOrder > 0 ? ` (${integer(count.outOfOrder)} out of order)` : ''}`,
          ];
        }),
      ),
    );
  }
  return sections;
}
