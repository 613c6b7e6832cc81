import { inProcessAdapters, socketAdapters } from './clients';
import { fullServerSteps, quickServerSteps } from './plan-servers';

/** One worker run: which workload, with what, under which node flags, pinned or not. */
export interface Step {
  readonly workload:
    | 'smoke'
    | 'w1'
    | 'w2'
    | 'w3'
    | 'w4'
    | 'w5'
    | 'w6'
    | 'w7'
    | 'w8'
    | 'w9'
    | 'w10'
    | 'w11'
    | 'profile'
    | 'profile-w3'
    | 'heap';
  /** The client process's script, relative to bench/, when it is not worker.ts (W11's own). */
  readonly entry?: string;
  /** Run under `node --cpu-prof`; the workload reports the windows to keep. */
  readonly cpuProfile?: boolean;
  readonly rounds: number;
  /** The clients to run, by key (W7: the servers). */
  readonly adapters: readonly string[];
  readonly sizes: Record<string, number>;
  readonly levels?: readonly number[];
  /** Pin this client to one core and the server to another (W1), when `taskset` exists. */
  readonly pinned?: boolean;
  readonly nodeFlags?: readonly string[];
  readonly deadlineMs: number;
}

const socketKeys = socketAdapters.map((adapter) => adapter.key);
const inProcessKeys = inProcessAdapters.map((adapter) => adapter.key);

/** The full run (`npm run bench`): a few minutes. */
export const fullPlan: readonly Step[] = [
  { workload: 'smoke', rounds: 1, adapters: [], sizes: {}, deadlineMs: 60_000 },
  {
    workload: 'w1',
    rounds: 5,
    adapters: socketKeys,
    sizes: { calls: 4_000, warmup: 2_000 },
    pinned: true,
    deadlineMs: 180_000,
  },
  {
    workload: 'w2',
    rounds: 7,
    adapters: socketKeys,
    sizes: { calls: 60_000, window: 100, warmup: 20_000 },
    deadlineMs: 300_000,
  },
  {
    workload: 'w3',
    rounds: 3,
    adapters: socketKeys,
    sizes: { linearMax: 10_000 },
    levels: [1_000, 10_000, 100_000],
    deadlineMs: 400_000,
  },
  {
    workload: 'w4',
    rounds: 1,
    adapters: socketKeys,
    sizes: { pending: 100_000, completed: 1_000_000, window: 100, warmup: 20_000, settleMs: 500 },
    nodeFlags: ['--expose-gc'],
    deadlineMs: 600_000,
  },
  {
    workload: 'w5',
    rounds: 7,
    adapters: socketKeys,
    sizes: { count: 100_000, warmup: 10_000 },
    deadlineMs: 300_000,
  },
  {
    workload: 'w6',
    rounds: 5,
    adapters: inProcessKeys,
    sizes: { calls: 100_000, window: 100, warmup: 20_000 },
    deadlineMs: 300_000,
  },
  ...fullServerSteps,
  {
    workload: 'profile',
    rounds: 1,
    adapters: ['rx-request'],
    sizes: { calls: 300_000, window: 100, warmup: 20_000 },
    cpuProfile: true,
    deadlineMs: 120_000,
  },
  {
    workload: 'profile-w3',
    rounds: 3,
    adapters: ['rx-request'],
    sizes: { inFlight: 100_000 },
    cpuProfile: true,
    deadlineMs: 120_000,
  },
  {
    workload: 'heap',
    rounds: 1,
    adapters: ['bare-ws', 'bare-ws-observable', 'rx-request', 'rx-request$'],
    sizes: { pending: 10_000, settleMs: 300 },
    nodeFlags: ['--expose-gc'],
    deadlineMs: 120_000,
  },
];

/** The quick run (`npm run bench:quick`): under a minute, to prove the harness and every adapter work. */
export const quickPlan: readonly Step[] = [
  { workload: 'smoke', rounds: 1, adapters: [], sizes: {}, deadlineMs: 60_000 },
  {
    workload: 'w1',
    rounds: 2,
    adapters: socketKeys,
    sizes: { calls: 300, warmup: 100 },
    pinned: true,
    deadlineMs: 60_000,
  },
  {
    workload: 'w2',
    rounds: 2,
    adapters: socketKeys,
    sizes: { calls: 3_000, window: 100, warmup: 1_000 },
    deadlineMs: 60_000,
  },
  {
    workload: 'w3',
    rounds: 1,
    adapters: socketKeys,
    sizes: { linearMax: 2_000 },
    levels: [100, 1_000, 2_000],
    deadlineMs: 60_000,
  },
  {
    workload: 'w4',
    rounds: 1,
    adapters: socketKeys,
    sizes: { pending: 5_000, completed: 10_000, window: 100, warmup: 1_000, settleMs: 100 },
    nodeFlags: ['--expose-gc'],
    deadlineMs: 60_000,
  },
  {
    workload: 'w5',
    rounds: 2,
    adapters: socketKeys,
    sizes: { count: 3_000, warmup: 300 },
    deadlineMs: 60_000,
  },
  {
    workload: 'w6',
    rounds: 2,
    adapters: inProcessKeys,
    sizes: { calls: 3_000, window: 100, warmup: 1_000 },
    deadlineMs: 60_000,
  },
  ...quickServerSteps,
  {
    workload: 'profile',
    rounds: 1,
    adapters: ['rx-request'],
    sizes: { calls: 10_000, window: 100, warmup: 1_000 },
    cpuProfile: true,
    deadlineMs: 60_000,
  },
  {
    workload: 'profile-w3',
    rounds: 1,
    adapters: ['rx-request'],
    sizes: { inFlight: 5_000 },
    cpuProfile: true,
    deadlineMs: 60_000,
  },
  {
    workload: 'heap',
    rounds: 1,
    adapters: ['bare-ws', 'bare-ws-observable', 'rx-request', 'rx-request$'],
    sizes: { pending: 2_000, settleMs: 100 },
    nodeFlags: ['--expose-gc'],
    deadlineMs: 60_000,
  },
];
