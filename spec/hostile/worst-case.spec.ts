import { WebSocket } from 'ws';
import { connect } from 'rx-jsonrpc';
import { webSocket } from 'rx-jsonrpc/node';
import { expectHealthy, startTarget, stopTargets, type Target } from './harness/target';

// The worst one connection can make a serve() process hold with the defaults, all limits at
// once (docs/limits.md states the bound): 10,000 slow calls (maxAnswering) carrying 16 MiB of
// params (maxAnsweringBytes), the largest message (maxPayload), and answers to a client that
// never reads them (maxAnswerSize, highWaterMark).
afterAll(stopTargets);

const mib = 1_048_576;

describe('one hostile connection with the defaults of serve()', () => {
  let target: Target<{ url: string }>;
  beforeAll(async () => {
    target = await startTarget<{ url: string }>('serve', ['{}'], { maxOldSpaceMb: 1_024 });
  }, 30_000);

  it('makes the server hold no more than the documented bound', async () => {
    const before = await target.stats(true);
    const socket = new WebSocket(target.info.url);
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    socket.on('error', () => undefined);
    // Never read the answers: the server's send buffer fills up to its highWaterMark.
    socket.pause();
    const filler = 'x'.repeat(16_000);
    let id = 0;
    const call = (method: string, params: unknown[]) => ({ jsonrpc: '2.0', id: ++id, method, params });
    // 16 MiB of slow calls with large params, then slow calls up to 12,000 (past maxAnswering).
    for (let frame = 0; frame < 1_100; frame++) socket.send(JSON.stringify(call('sleep', [30_000, filler])));
    for (let frame = 0; frame < 110; frame++) {
      socket.send(JSON.stringify(Array.from({ length: 100 }, () => call('sleep', [30_000]))));
    }
    // Answers of 4 MiB each, which the client never reads: past 16 MiB they are refused.
    for (let frame = 0; frame < 8; frame++) socket.send(JSON.stringify(call('big', [4 * mib])));
    // The largest message the server takes, again and again.
    const largest = JSON.stringify(call('echo', ['y'.repeat(mib - 100)]));
    for (let frame = 0; frame < 20; frame++) socket.send(largest);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const stats = await expectHealthy(
      target,
      async () => {
        const rpc = connect(webSocket(target.info.url, { heartbeat: false }), { timeout: 3_000 });
        try {
          expect(await rpc.request('ping')).toBe('pong');
        } finally {
          await rpc.close();
        }
      },
      // 12,000 calls and 60 MiB arrive at once: the bound here is on memory; single frames
      // are held to 200 ms by the other hostile suites. The longest stall is the handler's
      // own doing: the 8 small `big` calls come in one TCP read, and their 32 MiB of answers
      // are serialised in that one tick (about 350 ms alone on 2 cores, 1.06 s once in CI
      // beside the other suites), hence 2 s.
      { maxRssMb: 1_000, maxLagMs: 2_000 },
    );
    const grew = (stats.maxRss - before.rss) / mib;
    console.log(
      `one hostile connection: RSS ${Math.round(before.rss / mib)} -> max ${Math.round(stats.maxRss / mib)} MiB (+${Math.round(grew)} MiB), heap ${Math.round(stats.heapUsed / mib)} MiB, longest stall ${Math.round(stats.maxLagMs)} ms`,
    );
    expect(grew).toBeLessThan(160);
    socket.terminate();
  }, 60_000);
});
