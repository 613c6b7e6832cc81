// W8's part of docs/benchmarks.md: the fan-out table and the issue's two fan-out targets.
import type { Step } from './plan';
import { fixed, integer, micros, table } from './report-format';
import type { FanOutResult, FanOutRowResult } from './workloads/w8-fan-out';

/** The row the targets are about. */
const oursKey = 'rx-serve';
const ms = (number: number) => fixed(number, number >= 10 ? 1 : 2);
const verdict = (met: boolean | undefined) => (met === undefined ? 'not measured' : met ? '**met**' : '**missed**');

/** A row of the targets table, and what explains a miss. */
export interface Target {
  readonly row: readonly [target: string, measured: string, verdict: string];
  readonly ifMissed: string;
}

/** Issue 24's fan-out targets, for the targets table. */
export function fanOutTargets(w8: FanOutResult | undefined): Target[] {
  const ours = w8?.rows?.find((row) => row.key === oursKey);
  const limit = w8?.rows?.[0];
  const p99 = ours?.latency.all.p99 ?? Number.NaN;
  return [
    {
      row: [
        `W8 fan-out across 2 processes: nothing lost`,
        ours === undefined ? '—' : `${integer(ours.delivered)} delivered of ${integer(ours.expected)}`,
        verdict(ours === undefined ? undefined : ours.delivered === ours.expected && ours.outOfOrder === 0),
      ],
      ifMissed: `${integer(ours?.outOfOrder ?? 0)} out of order; see the problems the servers reported under W8.`,
    },
    {
      row: [
        `W8 fan-out: p99 delivery < 50 ms at ${integer(ours?.clients ?? 1_000)} clients`,
        ours === undefined ? '—' : `${ms(p99)} ms`,
        verdict(ours === undefined ? undefined : p99 < 50),
      ],
      ifMissed:
        limit === undefined || limit === ours
          ? 'No limit row ran to compare with.'
          : `The limit row (${limit.name.replace(' (the limit)', '')}) measured p99 ${ms(limit.latency.all.p99)} ms in the same run, on the same clients and Redis: ${limit.latency.all.p99 >= 50 ? 'this machine, shared as it was, did not deliver within 50 ms even without the library' : `rx-jsonrpc adds ${ms(p99 - limit.latency.all.p99)} ms at p99`}.`,
    },
  ];
}

const group = (row: FanOutRowResult, which: 'all' | 'local' | 'remote') =>
  `${ms(row.latency[which].p50)} / ${ms(row.latency[which].p99)}`;

/** The W8 section: what ran, the table, and what else the run saw. */
export function fanOutSection(step: Step, w8: FanOutResult | undefined): string[] {
  if (w8?.rows === undefined) return [`## W8 fan-out across 2 processes`, `Skipped: ${w8?.skipped ?? 'no result'}.`];
  const { sizes } = step;
  const rows = w8.rows;
  const first = rows[0];
  const errors = rows.flatMap((row) => row.serverErrors.map((error) => `${row.key}: ${error}`));
  return [
    `## W8 fan-out across 2 processes`,
    `Per row, two server processes share one real \`redis-server\` (on a free loopback port, stopped by its pid), with ${integer(first?.clients ?? 0)} plain \`ws\` clients split evenly between them, all in the workload's process. rx-jsonrpc's row is two \`serve()\` processes with \`redisBackplane()\` over node-redis, the first calling \`server.notifyAll('tick', { seq, sentAt })\`. The limit does the least two processes can: plain \`ws\` and node-redis, the tick written once, published first, then the same text sent to each of its own clients. Each row broadcasts ${integer(first?.ticks ?? 0)} ticks (after ${sizes.warmup ?? 0} to warm up, left out); the rows take turns, a tick ${sizes.gapMs ?? 0} ms after the previous one reached every client of its row (or ${integer(sizes.tickTimeoutMs ?? 0)} ms passed). A delivery's latency runs from \`sentAt\` to its arrival, both read as \`performance.timeOrigin + performance.now()\`, a clock the processes of one machine share. "Local" clients are those of the process that broadcasts, "remote" those of the other, reached through Redis. "Broadcast held" is how long the broadcast call kept the first process busy (median): its own clients' sends and the publish.`,
    table(
      ['server', 'p50 / p99 ms, all', 'local', 'remote', 'max ms', 'delivered of ticks × clients', 'broadcast held ms'],
      rows.map((row) => [
        row === first ? `**${row.name}**` : row.name,
        group(row, 'all'),
        group(row, 'local'),
        group(row, 'remote'),
        ms(row.latency.all.max),
        `${integer(row.delivered)} of ${integer(row.expected)}${row.outOfOrder > 0 ? ` (${integer(row.outOfOrder)} out of order)` : ''}`,
        ms(row.notifyMs),
      ]),
    ),
    `rx-jsonrpc's \`notifyAll()\` writes to its own clients first and publishes after, so its remote clients wait for the local sends too. The clients' process spent ${micros(w8.clientCpuMicrosPerDelivery ?? Number.NaN)} µs of CPU per delivery, for both rows, which is in every latency. Problems the servers reported: ${errors.length > 0 ? errors.join('; ') : 'none'}.`,
  ];
}
