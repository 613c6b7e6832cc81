// The server part of docs/benchmarks.md (issue 24): W7's calls per second per server, W8's
// fan-out across two processes, and the targets for them.
import { fixed, integer, micros, table, times } from './report-format';
import type { RunResults } from './results';
import { serverRows, serverTargets } from './servers/rows';
import { median, spread } from './stats';
import type { Samples } from './workloads/common';
import type { FanOutResult } from './workloads/w8-fan-out';
import { fanOutSection, fanOutTargets, type Target } from './report-fan-out';

const value = (row: Samples | undefined, metric: string): number => median(row?.metrics[metric] ?? []);
const verdict = (met: boolean | undefined) => (met === undefined ? 'not measured' : met ? '**met**' : '**missed**');

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
  const targets: Target[] = [];
  const byKey = (key: string) => w7.find((row) => row.key === key);

  for (const { ours, peer, peerName, transport } of serverTargets) {
    const rate = value(byKey(ours), 'callsPerSecond');
    const peerRate = value(byKey(peer), 'callsPerSecond');
    const cpu = value(byKey(ours), 'serverCpuMicrosPerCall');
    const peerCpu = value(byKey(peer), 'serverCpuMicrosPerCall');
    const known = Number.isFinite(rate) && Number.isFinite(peerRate);
    targets.push({
      row: [
        `W7 serve() over ${transport}: calls/s ≥ ${peerName}`,
        known ? `${integer(rate)} vs ${integer(peerRate)} (${times(rate / peerRate)})` : '—',
        verdict(known ? rate >= peerRate : undefined),
      ],
      ifMissed:
        cpu > peerCpu * 1.2
          ? `The server's own work: ${micros(cpu)} µs of CPU per call against ${micros(peerCpu)} µs for ${peerName} (${times(cpu / peerCpu)}).${transport === 'HTTP' ? ' serve() answers each POST with a peer of its own (docs/server.md), made and closed per call.' : ''}`
          : `The server's CPU per call is within 20% of ${peerName}'s (${micros(cpu)} against ${micros(peerCpu)} µs), so this miss is the shared machine's noise until a quiet run says otherwise.`,
    });
  }
  targets.push(...fanOutTargets(w8));
  const missed = targets.filter((each) => each.row[2] === verdict(false));

  sections.push(
    `## Servers (issue 24)`,
    `The library as a server, next to the servers people run: each server in its own process on 127.0.0.1, port 0 (\`bench/servers/\`), driven in turn by one fixed, plain load generator (the workload's own process, \`bench/workloads/load-ws.ts\` and \`load-http.ts\`), so that only the server changes between rows. Every server answers \`echo\`; every answer is checked. Server CPU is what the server process reports of its own \`process.cpuUsage()\` over the round; the load generator's CPU per call is there to show when it, and not the server, sets the pace. Other work shares this 2-core machine (see the load average above): read the ratios, not the absolute figures.`,
    table(
      ['target (issue 24)', 'measured', 'verdict'],
      targets.map((each) => each.row),
    ),
    ...(missed.length === 0 ? [] : [missed.map((each) => `- **${each.row[0]}**: ${each.ifMissed}`).join('\n')]),
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

  if (w8Step !== undefined) sections.push(...fanOutSection(w8Step, w8));
  return sections;
}
