// One client process: runs one workload (argv[2]) with its config (argv[3], JSON) and
// sends the result to the harness over IPC. The harness starts it with the node flags the
// workload needs (--expose-gc, --cpu-prof) and, where asked, pinned to a core.
import type { WorkloadConfig } from './workloads/common';
import { heapBreakdown } from './workloads/heap';
import { profileAnswers, profileThroughput } from './workloads/profile';
import { smoke } from './workloads/smoke';
import { w1Latency } from './workloads/w1-latency';
import { w2Throughput } from './workloads/w2-throughput';
import { w3Scaling } from './workloads/w3-scaling';
import { w4Memory } from './workloads/w4-memory';
import { w5Notifications } from './workloads/w5-notifications';
import { w6InProcess } from './workloads/w6-in-process';
import { w7Servers } from './workloads/w7-servers';
import { w8FanOut } from './workloads/w8-fan-out';
import { w9IdleHeap } from './workloads/w9-idle-heap';
import { w10Broadcast } from './workloads/w10-broadcast';

const workloads: Record<string, (config: WorkloadConfig) => Promise<unknown>> = {
  smoke,
  w1: w1Latency,
  w2: w2Throughput,
  w3: w3Scaling,
  w4: w4Memory,
  w5: w5Notifications,
  w6: w6InProcess,
  w7: w7Servers,
  w8: w8FanOut,
  w9: w9IdleHeap,
  w10: w10Broadcast,
  profile: profileThroughput,
  'profile-w3': profileAnswers,
  heap: heapBreakdown,
};

const [name = '', configText = '{}'] = process.argv.slice(2);
const config = JSON.parse(configText) as WorkloadConfig & { deadlineMs: number };
const workload = workloads[name];

// Whatever happens, this process ends: the harness also kills it past the same deadline.
setTimeout(() => {
  console.error(`bench worker ${name}: deadline of ${config.deadlineMs} ms passed`);
  process.exit(3);
}, config.deadlineMs).unref();

const report = (message: { ok: boolean; result?: unknown; error?: string }, code: number) =>
  process.send!(message, () => process.exit(code));

if (workload === undefined) {
  report({ ok: false, error: `No workload ${name}` }, 2);
} else {
  workload(config).then(
    (result) => report({ ok: true, result }, 0),
    (error: unknown) => report({ ok: false, error: String((error as Error).stack ?? error) }, 1),
  );
}
