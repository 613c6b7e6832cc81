// W11's part of docs/benchmarks.md: the C10k soak, with issue 26's targets for it.
import { fixed, integer, table } from './report-format';
import type { RunResults } from './results';
import { manyOursKey } from './servers/many-rows';
import type { SoakResult, SoakRow } from './workloads/w11-soak';

// A delay the server could not measure comes back over IPC as null.
const ms = (number: number | null) => (number === null ? '—' : fixed(number, number >= 10 ? 1 : 2));
const mib = (bytes: number) => fixed(bytes / 2 ** 20, 1);
const verdict = (met: boolean | undefined) => (met === undefined ? 'not measured' : met ? '**met**' : '**missed**');
/** Our reading of "RSS flat": it grows by at most this share from the end of the warm-up to the end. */
const flatShare = 0.1;

/** The RSS at the end of the warm-up and at the end, the growth between them, and the peak after the warm-up. */
function rssAfterWarmup(row: SoakRow, warmupSeconds: number) {
  const from = Math.max(0, warmupSeconds - 1);
  const atWarmup = row.rss[from] ?? Number.NaN;
  const atEnd = row.rss[row.rss.length - 1] ?? Number.NaN;
  return { atWarmup, atEnd, peak: Math.max(...row.rss.slice(from)), growth: atEnd - atWarmup };
}

interface Target {
  readonly row: readonly string[];
  readonly met: boolean | undefined;
  readonly ifMissed: string;
}

function targets(ours: SoakRow, limit: SoakRow | undefined, warmupSeconds: number, connections: number): Target[] {
  const rss = rssAfterWarmup(ours, warmupSeconds);
  const { before, after } = ours.heapAfterGc;
  const kept = (after - before) / connections;
  const heapNote = `Its heap after a full collection was ${mib(before)} MiB alone and ${mib(after)} MiB at the end, ${integer(kept)} B per connection`;
  const p99Met = ours.latency.p99 < 50;
  const errorsMet = ours.errors === 0 && ours.timeouts === 0;
  const rssMet = rss.growth <= rss.atWarmup * flatShare;
  return [
    {
      row: ['W11 serve(), C10k soak: p99 latency < 50 ms', `${ms(ours.latency.p99)} ms`, verdict(p99Met)],
      met: p99Met,
      ifMissed:
        limit !== undefined && limit.latency.p99 >= 50
          ? `The limit row's p99 was ${ms(limit.latency.p99)} ms in the same run: this machine, shared as it was (see the load average and the load generator's loop delay below), did not answer within 50 ms even without a library.`
          : `The limit row's p99 was ${ms(limit?.latency.p99 ?? Number.NaN)} ms: what serve() spends per call shows in the server CPU column.`,
    },
    {
      row: [
        'W11 serve(), C10k soak: no errors',
        `${integer(ours.errors)} errors, ${integer(ours.timeouts)} timeouts`,
        verdict(errorsMet),
      ],
      met: errorsMet,
      ifMissed: `The first: ${ours.firstError ?? 'calls unanswered'}.`,
    },
    {
      row: [
        `W11 serve(), C10k soak: RSS flat after warm-up (≤ +${flatShare * 100}%)`,
        `${mib(rss.atWarmup)} → ${mib(rss.atEnd)} MiB`,
        verdict(rssMet),
      ],
      met: rssMet,
      ifMissed: `${heapNote} (W9 has what an idle connection holds; a connection that has been called also holds its answering side). Growth beyond that is garbage that outlived the young generation and that no full collection had reclaimed by the end; a longer soak shows where the RSS levels off.`,
    },
  ];
}

function tables(rows: readonly SoakRow[], warmupSeconds: number): string[] {
  const name = (row: SoakRow, index: number) => (index === 0 ? `**${row.name}**` : row.name);
  return [
    table(
      ['server', 'calls', 'errors', 'timeouts', 'p50 ms', 'p99 ms', 'max ms', 'server loop delay p99 / max ms'],
      rows.map((row, index) => [
        name(row, index),
        integer(row.sent),
        integer(row.errors),
        integer(row.timeouts),
        ms(row.latency.p50),
        ms(row.latency.p99),
        ms(row.latency.max),
        `${ms(row.serverLoopDelay.p99)} / ${ms(row.serverLoopDelay.max)}`,
      ]),
    ),
    `The server's memory, in MiB: RSS after the warm-up (read each second), and the heap after a full collection (\`gc()\`, the server started with \`--expose-gc\`) of the server alone, before its connections opened (a collection forced while 10,000 connections idle sets V8's next limit from an idle moment: the heap then grew for half the soak before its first full collection, which a server never told \`gc()\` does not do), and at the end, with its connections: memory kept, apart from garbage not yet collected.`,
    table(
      ['server', 'RSS at warm-up end', 'at end', 'growth', 'peak', 'heap after GC, alone', 'at end'],
      rows.map((row, index) => {
        const rss = rssAfterWarmup(row, warmupSeconds);
        return [
          name(row, index),
          mib(rss.atWarmup),
          mib(rss.atEnd),
          `${rss.growth >= 0 ? '+' : '−'}${mib(Math.abs(rss.growth))}`,
          mib(rss.peak),
          mib(row.heapAfterGc.before),
          mib(row.heapAfterGc.after),
        ];
      }),
    ),
    `Who was busy: each process's CPU after the warm-up in % of one core; the load generator's own event-loop delay and how late its sends ran against their schedule; the machine's 1-minute load average as the row began and ended (2 cores: above 2, processes waited for a core).`,
    table(
      [
        'server',
        'server CPU',
        'load generator CPU',
        'its loop delay p99 / max ms',
        'its send lag p99 ms',
        'load average',
      ],
      rows.map((row, index) => [
        name(row, index),
        `${fixed(row.serverCpuPercent, 0)}%`,
        `${fixed(row.clientCpuPercent, 0)}%`,
        `${ms(row.clientLoopDelay.p99)} / ${ms(row.clientLoopDelay.max)}`,
        ms(row.sendLagP99),
        `${fixed(row.load.start, 2)} → ${fixed(row.load.end, 2)}`,
      ]),
    ),
  ];
}

/** The W11 section; nothing when it did not run. */
export function soakSections(results: RunResults): string[] {
  const step = results.steps.w11?.step;
  const result = results.steps.w11?.result as SoakResult | undefined;
  if (step === undefined || result === undefined) return [];
  const { connections = 0, seconds = 0, warmupSeconds = 0, timeoutMs = 0 } = step.sizes;
  const intro = [
    `## W11 C10k soak`,
    `Each server of W9 alone, in turn, in its own process (the limit is W9's bare \`ws\` server answering \`echo\` by hand, \`bench/servers/soak-bare-ws.ts\`), holding ${integer(connections)} connections from plain \`ws\` sockets of the workload's process (the fixed load generator, \`bench/workloads/soak-calls.ts\`). Each connection sends \`echo [id]\`, written by hand, once a second for ${integer(seconds)} s; their turns are spread evenly over the second, so the server sees a steady ${integer(connections)} calls/s. Latency runs from the send to the answer's arrival in the load generator, over the calls after the first ${warmupSeconds} s (the warm-up); a call unanswered after ${integer(timeoutMs)} ms is a timeout. The server reports its event-loop delay after the warm-up (\`monitorEventLoopDelay\` at 10 ms resolution, less those 10 ms: how late its timer ran). When the load generator's loop delay or send lag is high, it, not the server, is slow: both share this 2-core machine.`,
  ];
  if (result.skipped !== undefined) return [...intro, `Not run: ${result.skipped}.`];
  const rows = result.rows ?? [];
  const ours = rows.find((row) => row.key === manyOursKey);
  const limit = rows[0] === ours ? undefined : rows[0];
  const checked = ours === undefined ? [] : targets(ours, limit, warmupSeconds, connections);
  const missed = checked.filter((each) => each.met === false);
  const errorsOf = rows.filter((row) => row.firstError !== undefined);
  return [
    ...intro,
    ...(checked.length === 0
      ? []
      : [
          table(
            ['target (issue 26)', 'measured', 'verdict'],
            checked.map((each) => each.row),
          ),
        ]),
    ...(missed.length === 0 ? [] : [missed.map((each) => `- **${each.row[0]}**: ${each.ifMissed}`).join('\n')]),
    ...tables(rows, warmupSeconds),
    ...(errorsOf.length === 0 ? [] : [errorsOf.map((row) => `- ${row.name}: ${row.firstError}`).join('\n')]),
  ];
}
