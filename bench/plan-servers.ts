import type { Step } from './plan';
import { fanOutRows } from './servers/fan-out-rows';
import { serverRows } from './servers/rows';

// The server workloads (issue 24), apart so that plan.ts keeps to the clients.
const serverKeys = serverRows.map((row) => row.key);
const fanOutKeys = fanOutRows.map((row) => row.key);

/** W7 and W8 in the full run: about two minutes together. */
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
];
