import { firstValueFrom, retry, throwError, timer, toArray } from 'rxjs';
import { connect, isRetryable, reconnecting, RpcError, type Peer } from 'rx-jsonrpc';
import { webSocket } from 'rx-jsonrpc/node';
import { killAllServers, restartableServer } from '../helpers/restartable-server';
import { seededRandom, testSeed } from '../helpers/seeded-random';

// The random moments and delays are seeded: CHAOS_SEED=<seed> replays the restarts' timing
// and each call's handler delay. The delays of reconnects and retries come from a stream of
// their own: how many of them there are depends on socket timing, which no seed fixes.
const seed = testSeed('CHAOS_SEED', 'chaos.spec.ts');
const restartRandom = seededRandom(seed);
const backoffRandom = seededRandom(seed ^ 0x5bd1e995);
const between = (random: () => number, low: number, high: number) => low + random() * (high - low);
/** The handler delay of call n: the same for a seed, whichever order calls and retries arrive in. */
const handlerDelay = (n: number) => seededRandom(seed + n * 7_919)() * 3;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const clients: Peer[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await killAllServers();
});

describe('chaos: calls with retry while the server restarts at random moments', () => {
  it('ends every call exactly once, with its own result or a typed error, and leaves nothing pending', async () => {
    const calls = 3_000;
    const waves = 20;
    const restarts = 4;
    const server = await restartableServer((peer) =>
      peer.handle('echo', ([n]: [number]) => new Promise((resolve) => setTimeout(() => resolve(n), handlerDelay(n)))),
    );
    const client = connect(webSocket(server.url, { heartbeat: false }), {
      reconnect: reconnecting({ delay: () => timer(between(backoffRandom, 2, 10)) }),
      timeout: 20_000,
    });
    clients.push(client);
    let sent = 0;
    let drops = 0;
    client.trace$.subscribe((event) => (sent += event.kind === 'out' ? 1 : 0));
    client.state$.subscribe((state) => (drops += state.status === 'reconnecting' && state.attempt === 1 ? 1 : 0));

    const emissions = new Array<number>(calls).fill(0);
    const retryLinkFailures = (error: unknown) =>
      isRetryable(error) ? timer(between(backoffRandom, 1, 5)) : throwError(() => error);
    const call = (i: number): Promise<string> =>
      firstValueFrom(
        client.request$<number>('echo', [i]).pipe(retry({ count: 50, delay: retryLinkFailures }), toArray()),
      ).then(
        (values) => {
          emissions[i] = values.length;
          return values[0] === i ? 'right' : `wrong: ${String(values[0])}`;
        },
        (error: unknown) =>
          error instanceof RpcError ? `typed error: ${error.name}` : `untyped error: ${String(error)}`,
      );

    // Calls go out in waves while the server is killed and started again.
    const outcomes: Promise<string>[] = [];
    const sending = (async () => {
      for (let wave = 0; wave < waves; wave++) {
        for (let i = (wave * calls) / waves; i < ((wave + 1) * calls) / waves; i++) outcomes.push(call(i));
        await sleep(10);
      }
    })();
    for (let restart = 0; restart < restarts; restart++) {
      await sleep(between(restartRandom, 10, 40));
      await server.kill();
      await sleep(between(restartRandom, 5, 20));
      await server.start();
    }
    await sending;

    const results = await Promise.all(outcomes);
    const tally = results.reduce<Record<string, number>>((counts, r) => ({ ...counts, [r]: (counts[r] ?? 0) + 1 }), {});
    expect(server.starts).toBe(restarts + 1);
    // Kills close together can fall in one reconnecting spell, so count at least one drop.
    expect(drops).toBeGreaterThanOrEqual(1);
    expect(drops).toBeLessThanOrEqual(restarts);
    expect(sent).toBeGreaterThan(calls);
    expect(Object.keys(tally).filter((k) => k !== 'right' && !k.startsWith('typed error'))).toEqual([]);
    expect(emissions.every((n) => n <= 1)).toBe(true);
    expect(tally.right).toBe(calls);
    expect(client.pendingCount).toBe(0);
  }, 60_000);
});
