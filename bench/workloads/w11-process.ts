// W11's client process, as bench/worker.ts is every other workload's: runs the soak with
// the config the harness gives (argv[3], JSON) and sends the result back over IPC.
// TODO: fold into bench/worker.ts's table (`w11: w11Soak`) and drop this file and Step.entry.
import type { WorkloadConfig } from './common';
import { w11Soak } from './w11-soak';

const config = JSON.parse(process.argv[3] ?? '{}') as WorkloadConfig & { deadlineMs: number };

// Whatever happens, this process ends: the harness also kills it past the same deadline.
setTimeout(() => {
  console.error(`bench worker w11: deadline of ${config.deadlineMs} ms passed`);
  process.exit(3);
}, config.deadlineMs).unref();

const report = (message: { ok: boolean; result?: unknown; error?: string }, code: number) =>
  process.send!(message, () => process.exit(code));

w11Soak(config).then(
  (result) => report({ ok: true, result }, 0),
  (error: unknown) => report({ ok: false, error: String((error as Error).stack ?? error) }, 1),
);
