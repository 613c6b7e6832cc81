// `npm run soak`: one million calls over a real socket, then one million notifications to
// one subscriber, with the client's heap measured before and after (node --expose-gc).
// Bounded: SOAK_CALLS and SOAK_NOTIFICATIONS (default 1 000 000 each) and SOAK_SECONDS
// (default 600); the server process is stopped by its pid at the end.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { connect } from 'rx-jsonrpc';
import { webSocket } from 'rx-jsonrpc/node';

const calls = Number(process.env.SOAK_CALLS ?? 1_000_000);
const notifications = Number(process.env.SOAK_NOTIFICATIONS ?? 1_000_000);
const deadline = Date.now() + Number(process.env.SOAK_SECONDS ?? 600) * 1000;
const window = 100;

const gc = (globalThis as { gc?: () => void }).gc;
const heap = () => {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
};
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;

async function main(): Promise<void> {
  if (gc === undefined) throw new Error('Run with node --expose-gc (npm run soak does)');
  const server = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'soak-server.ts')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const [url] = (await once(server.stdout!, 'data')) as [Buffer];
    const rpc = connect(webSocket(String(url).trim(), { heartbeat: false }), { timeout: 60_000 });
    await rpc.request('echo', ['warm up']);

    const before = heap();
    const started = Date.now();
    let done = 0;
    // A window of calls in flight, each call starting the next when it ends.
    await new Promise<void>((resolve, reject) => {
      let sent = 0;
      const next = (): void => {
        if (sent >= calls || Date.now() > deadline) {
          if (done === sent) resolve();
          return;
        }
        const n = sent++;
        rpc.request('echo', [n]).then((result) => {
          if ((result as number[])[0] !== n) return reject(new Error(`Call ${n} got ${JSON.stringify(result)}`));
          done++;
          next();
        }, reject);
      };
      for (let i = 0; i < window; i++) next();
    });
    const callSeconds = (Date.now() - started) / 1000;
    const afterCalls = heap();
    console.log(
      `calls: ${done} in ${callSeconds.toFixed(1)} s (${Math.round(done / callSeconds)}/s); pending ${rpc.pendingCount}`,
    );
    console.log(`heap: ${mib(before)} before, ${mib(afterCalls)} after (${mib(afterCalls - before)} growth)`);

    // Rounds of 10 000 ticks, each asked for by one call: a server that pushed a million at once
    // would overrun its own send buffer (highWaterMark) and drop them, as it should.
    let received = 0;
    let outOfOrder = 0;
    const round = 10_000;
    const pushStarted = Date.now();
    const counting = rpc.notifications$<[number]>('tick').subscribe(([n]) => {
      if (n !== received) outOfOrder++;
      received++;
    });
    for (let from = 0; from < notifications && Date.now() <= deadline; from += round) {
      await rpc.request('push', [from, Math.min(round, notifications - from)]);
    }
    counting.unsubscribe();
    const pushSeconds = (Date.now() - pushStarted) / 1000;
    const afterNotifications = heap();
    console.log(`notifications: ${received} in ${pushSeconds.toFixed(1)} s (${Math.round(received / pushSeconds)}/s)`);
    console.log(
      `heap: ${mib(afterNotifications)} after notifications (${mib(afterNotifications - before)} growth since the start)`,
    );
    rpc.close();
    if (done < calls) throw new Error(`Stopped at the time limit after ${done} of ${calls} calls`);
    if (received !== notifications) throw new Error(`Received ${received} of ${notifications} notifications`);
    if (outOfOrder > 0) throw new Error(`${outOfOrder} notifications arrived out of order`);
  } finally {
    if (server.pid !== undefined) process.kill(server.pid);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
