import { connect } from 'rx-jsonrpc';
import { webSocket } from 'rx-jsonrpc/node';
import { expectHealthy, startTarget, stopTargets, type Target } from './harness/target';

// The harness itself: a healthy target passes, and a dead one is seen as dead.
afterAll(stopTargets);

describe('the hostile harness', () => {
  let target: Target<{ url: string }>;
  beforeAll(async () => {
    target = await startTarget<{ url: string }>('serve', ['{}']);
  }, 30_000);

  it('sees a healthy server answer a fresh call', async () => {
    const stats = await expectHealthy(target, async () => {
      const rpc = connect(webSocket(target.info.url), { timeout: 2_000 });
      try {
        expect(await rpc.request('ping')).toBe('pong');
      } finally {
        await rpc.close();
      }
    });
    expect(stats.maxRss).toBeGreaterThan(0);
  });

  it('sees a killed server as dead', async () => {
    process.kill(target.pid, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 200));
    await expect(expectHealthy(target, () => Promise.resolve())).rejects.toThrow(/the target died/);
  });
});
