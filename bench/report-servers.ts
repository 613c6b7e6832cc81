// The server part of docs/benchmarks.md (issue 24): W7's calls per second per server, W8's
// fan-out across two processes, and the targets for them.
import { fixed, integer, micros, table, times } from './report-format';
import type { RunResults } from './results';
import { serverRows, serverTargets } from './servers/rows';
import { median, spread } from './stats';
import type { Samples } from './workloads/common';
import type { FanOutResult } from './workloads/w8-fan-out';

const value = (row: Samples | undefined, metric: string): number => median(row?.metrics[metric] ?? []);
const verdict = (met: boolean | undefined) => (met === undefined ? 'not measured' : met ? '**met**' : '**missed**');
const ms = (number: number) => fixed(number, number >= 10 ? 1 : 2);

/** W7's rows of one transport, against the first of them (`reference` names it in the header). */
function w7Table(rows: readonly Samples[], transport: 'ws' | 'http', reference: string): string {
  const keys = serverRows.filter((row) => row.transport === transport).map((row) => row.key);
  const mine = rows.filter((row) => keys.includes(row.key));
  const first = mine[0];
  return table(
    ['server', 'calls/s', `× ${reference}`, 'server CPU µs/call', 'load generator CPU µs/call', 'spread'],
    mine.map((row) => [
      row === first ? `**${row.name}**` : row.name,
      integer(value(row, 'callsPerSecond')),
      times(value(row, 'callsPerSecond') / value(first, 'callsPerSecond')),
      micros(value(row, 'serverCpuMicrosPerCall')),
      micros(value(row, 'clientCpuMicrosPerCall')),
      `${fixed(spread(row.metrics.callsPerSecond ?? []), 0)}%`,
    ]),
  );
}

/** The W7 and W8 sections, with the targets; nothing when neither ran. */
export function serverSections(results: RunResults): string[] {
  const w7Step = results.steps.w7?.step;
  const w7 = (results.steps.w7?.result ?? []) as Samples[];
  const w8Step = results.steps.w8?.step;
  const w8 = results.steps.w8?.result as FanOutResult | undefined;
  if (w7Step === undefined && w8Step === undefined) return [];
  const sections: string[] = [];
  const targets: (readonly string[])[] = [];
  const byKey = (key: string) => w7.find((row) => row.key === key);

  for (const { ours, peer, peerName, transport } of serverTargets) {
    const rate = value(byKey(ours), 'callsPerSecond');
    const peerRate = value(byKey(peer), 'callsPerSecond');
    const known = Number.isFinite(rate) && Number.isFinite(peerRate);
    targets.push([
      `W7 serve() over ${transport}: calls/s ≥ ${peerName}`,
      known ? `${integer(rate)} vs ${integer(peerRate)} (${times(rate / peerRate)})` : '—',
      verdict(known ? rate >= peerRate : undefined),
    ]);
  }
  const ran = w8 !== undefined && w8.skipped === undefined;
  const p99 = w8?.latency?.all.p99 ?? Number.NaN;
  targets.push(
    [
      `W8 fan-out across 2 processes: nothing lost`,
      ran ? `${integer(w8.delivered ?? 0)} delivered of ${integer(w8.expected ?? 0)}` : '—',
      verdict(ran ? w8.delivered === w8.expected && w8.outOfOrder === 0 : undefined),
    ],
    [
      `W8 fan-out: p99 delivery < 50 ms at ${integer(w8?.clients ?? 1_000)} clients`,
      ran ? `${ms(p99)} ms` : '—',
      verdict(ran ? p99 < 50 : undefined),
    ],
  );

  sections.push(
    `## Servers (issue 24)`,
    `The library as a server, next to the servers people run: each server in its own process on 127.0.0.1, port 0 (\`bench/servers/\`), driven in turn by one fixed, plain load generator (the workload's own process, \`bench/workloads/load-ws.ts\` and \`load-http.ts\`), so that only the server changes between rows. Every server answers \`echo\`; every answer is checked. Server CPU is what the server process reports of its own \`process.cpuUsage()\` over the round; the load generator's CPU per call is there to show when it, and not the server, sets the pace. Other work shares this 2-core machine (see the load average above): read the ratios, not the absolute figures.`,
    table(['target (issue 24)', 'measured', 'verdict'], targets),
  );

  if (w7Step !== undefined) {
    const { sizes } = w7Step;
    sections.push(
      `## W7 server calls per second`,
      `Over WebSocket: one connection, \`echo [id]\` written by hand as JSON-RPC text on a raw \`ws\` client, ${sizes.window ?? 100} calls in flight, ${integer(sizes.wsCalls ?? 0)} calls per round. The bare \`ws\` server is \`bench/server.ts\` (answers corked per tick), the least a server can do. Over HTTP: a \`node:http\` keep-alive agent with ${sizes.connections ?? 16} connections, ${sizes.connections ?? 16} POSTs at a time, one call per POST, ${integer(sizes.httpCalls ?? 0)} calls per round. rx-jsonrpc's HTTP rows are \`serve()\` answering POST on its WebSocket port, and \`serveHttp()\`'s listener mounted in a plain \`node:http\` server; json-rpc-2.0's \`JSONRPCServer\` sits behind \`node:http\` the way its README's Express example does it. Servers take turns (A B C … A B C …) for ${w7Step.rounds} rounds, after one warm-up each; each figure is the median of the rounds.`,
      `Over WebSocket:`,
      w7Table(w7, 'ws', 'limit'),
      `Over HTTP POST:`,
      w7Table(w7, 'http', 'json-rpc-2.0'),
    );
  }

  if (w8Step !== undefined) {
    const { sizes } = w8Step;
    sections.push(`## W8 fan-out across 2 processes`);
    if (w8 === undefined || w8.skipped !== undefined) {
      sections.push(`Skipped: ${w8?.skipped ?? 'no result'}.`);
      return sections;
    }
    const latency = w8.latency!;
    sections.push(
      `Two rx-jsonrpc \`serve()\` processes share a Redis backplane (\`redisBackplane()\` over node-redis, a real \`redis-server\` on a free loopback port, stopped by its pid), with ${integer(w8.clients ?? 0)} plain \`ws\` clients split evenly between them, all in the workload's process. The first server calls \`server.notifyAll('tick', { seq, sentAt })\` ${w8.ticks} times (after ${sizes.warmup ?? 0} warm-up ticks, left out), each ${sizes.gapMs ?? 0} ms after the previous one reached every client (or ${integer(sizes.tickTimeoutMs ?? 0)} ms passed). A delivery's latency runs from \`sentAt\` to its arrival, both read as \`performance.timeOrigin + performance.now()\`, a clock the processes of one machine share. "Local" clients are those of the process that broadcasts, "remote" those of the other, reached through Redis.`,
      table(
        ['clients', 'p50 ms', 'p99 ms', 'max ms', 'delivered'],
        (['all', 'local', 'remote'] as const).map((group) => [
          group,
          ms(latency[group].p50),
          ms(latency[group].p99),
          ms(latency[group].max),
          group === 'all' ? `${integer(w8.delivered ?? 0)} of ${integer(w8.expected ?? 0)} (ticks × clients)` : '',
        ]),
      ),
      `Out of order or duplicated, per client: ${integer(w8.outOfOrder ?? 0)}. \`notifyAll()\` held the broadcasting process for ${ms(w8.notifyMs ?? Number.NaN)} ms per tick (median): it writes to its own clients first, then hands the tick to Redis, so remote clients wait for that too. The clients' process spent ${micros(w8.clientCpuMicrosPerDelivery ?? Number.NaN)} µs of CPU per delivery, which is in the latency as well. Problems the servers reported: ${w8.serverErrors?.length ? w8.serverErrors.join('; ') : 'none'}.`,
    );
  }
  return sections;
}
