import type { Step } from './plan';
import { fanOutRows } from './servers/fan-out-rows';
import { manyRows } from './servers/many-rows';
import { soakRows } from './servers/soak-rows';
import { serverRows } from './servers/rows';

// The server workloads (issues 24 and 26), apart so that plan.ts keeps to the clients.
const serverKeys = serverRows.map((row) => row.key);
const fanOutKeys = fanOutRows.map((row) => row.key);
const manyKeys = manyRows.map((row) => row.key);
const soakKeys = soakRows.map((row) => row.key);

/** W7 to W11 in the full run: about eight minutes together (W11 alone about five). */
export const fullServerSteps: readonly Step[] = [
  {
    workload: 'w7',
    rounds: 7,
    adapters: serverKeys,
    sizes: { wsCalls: 40_000, window: 100, wsWarmup: 20_000, httpCalls: 8_000, connections: 16, httpWarmup: 4_000 },
    deadlineMs: 300_000,
  },
  {
    workload: 'w8',
    rounds: 1,
    adapters: fanOutKeys,
    sizes: { clients: 1_000, ticks: 20, warmup: 3, gapMs: 100, tickTimeoutMs: 5_000 },
    deadlineMs: 180_000,
  },
  {
    workload: 'w9',
    rounds: 1,
    adapters: manyKeys,
    // Within ulimit -n (20,000 here): this process holds one end of each connection, the server the other.
    sizes: { connections: 10_000, warmup: 200, parallel: 50, settleMs: 500 },
    deadlineMs: 300_000,
  },
  {
    workload: 'w10',
    // Each server beside the limit's alone, 30 rounds of 50 each: with all servers up at once and
    // 5 rounds of 40, serve()'s ratio moved from 1.03x to 1.23x from run to run.
    rounds: 30,
    adapters: manyKeys,
    sizes: { clients: 1_000, broadcasts: 50, warmup: 5, gapMs: 5, tickTimeoutMs: 5_000 },
    deadlineMs: 300_000,
  },
  {
    workload: 'w11',
    entry: 'workloads/w11-process.ts',
    rounds: 1,
    adapters: soakKeys,
    // One call per connection per second: 10,000 calls/s for a minute, against each server in turn.
    sizes: { connections: 10_000, seconds: 60, warmupSeconds: 10, timeoutMs: 5_000, parallel: 50 },
    deadlineMs: 600_000,
  },
];

/** The same in a very short form, to prove they run (`npm run bench:quick`, in CI). */
export const quickServerSteps: readonly Step[] = [
  {
    workload: 'w7',
    rounds: 1,
    adapters: serverKeys,
    sizes: { wsCalls: 2_000, window: 100, wsWarmup: 500, httpCalls: 500, connections: 16, httpWarmup: 200 },
    deadlineMs: 60_000,
  },
  {
    workload: 'w8',
    rounds: 1,
    adapters: fanOutKeys,
    sizes: { clients: 100, ticks: 5, warmup: 1, gapMs: 20, tickTimeoutMs: 5_000 },
    deadlineMs: 60_000,
  },
  {
    workload: 'w9',
    rounds: 1,
    adapters: manyKeys,
    sizes: { connections: 500, warmup: 100, parallel: 50, settleMs: 100 },
    deadlineMs: 60_000,
  },
  {
    workload: 'w10',
    rounds: 1,
    adapters: manyKeys,
    sizes: { clients: 100, broadcasts: 10, warmup: 1, gapMs: 2, tickTimeoutMs: 5_000 },
    deadlineMs: 60_000,
  },
  {
    workload: 'w11',
    entry: 'workloads/w11-process.ts',
    rounds: 1,
    adapters: soakKeys,
    sizes: { connections: 500, seconds: 3, warmupSeconds: 1, timeoutMs: 5_000, parallel: 50 },
    deadlineMs: 60_000,
  },
];
