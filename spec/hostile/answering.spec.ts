import { WebSocket } from 'ws';
import { connect } from 'rx-jsonrpc';
import { webSocket } from 'rx-jsonrpc/node';
import { expectHealthy, startTarget, stopTargets, withDeadline, type Target } from './harness/target';

// Attacks on the answering side of a serve() process: what handlers return and throw, how
// many calls a client may leave running, and how large the answers to them may get.
afterAll(stopTargets);

type ServeTarget = Target<{ url: string }>;

/** A raw `ws` client: sends text, collects answers. */
async function rawClient(url: string) {
  const socket = new WebSocket(url);
  const answers: unknown[] = [];
  let closed: number | undefined;
  socket.on('message', (data) => answers.push(JSON.parse(String(data))));
  socket.on('close', (code) => (closed = code));
  socket.on('error', () => undefined);
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  return {
    socket,
    answers,
    closed: () => closed,
    send: (message: unknown) => socket.send(JSON.stringify(message)),
    close: () => socket.terminate(),
  };
}

/** A fresh client's call of `ping`. */
const freshPing = (target: ServeTarget) => async () => {
  const rpc = connect(webSocket(target.info.url, { heartbeat: false }), { timeout: 3_000 });
  try {
    expect(await rpc.request('ping')).toBe('pong');
  } finally {
    await rpc.close();
  }
};

/** Lets the work of the previous attack's teardown pass, then starts a new window of stats. */
async function settleDown(target: ServeTarget): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 500));
  await target.stats(true);
}

const until = async (check: () => boolean, ms: number, what: string) => {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`${what} did not happen within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('serve() under attack on its answering side', () => {
  let target: ServeTarget;
  beforeAll(async () => {
    target = await startTarget('serve', [JSON.stringify({ peer: { handlerConcurrency: 4, handlerTimeout: 500 } })]);
  }, 30_000);

  it.each(['null-prototype', 'throwing-getter', 'revoked-proxy', 'to-string-1'])(
    'survives a handler rejecting with a %s value, answering -32603',
    async (kind) => {
      const client = await rawClient(target.info.url);
      client.send({ jsonrpc: '2.0', id: 1, method: 'reject', params: [kind] });
      await until(() => client.answers.length > 0 || !target.alive, 3_000, 'an answer');
      expect(client.answers).toEqual([{ jsonrpc: '2.0', id: 1, error: { code: -32603, message: 'Internal error' } }]);
      client.close();
      await expectHealthy(target, freshPing(target));
    },
  );

  it('survives a batch whose answers would pass the largest string V8 can build', async () => {
    const client = await rawClient(target.info.url);
    // 1,000 answers of 600,000 characters: 600 MB, past V8's string limit.
    client.send(Array.from({ length: 1_000 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'big', params: [600_000] })));
    await until(() => client.answers.length > 0 || !target.alive, 20_000, 'the batch answer');
    const answer = client.answers[0] as { id: number; result?: string; error?: { code: number } }[];
    expect(answer).toHaveLength(1_000);
    // Within the 16 MiB default of maxAnswerSize: 27 results, the rest -32005.
    const sent = answer.filter((member) => member.result !== undefined).length;
    expect(sent).toBe(27);
    expect(answer.filter((member) => member.error?.code === -32005)).toHaveLength(1_000 - sent);
    client.close();
    // The answer is built and written in one tick: 16 MiB (maxAnswerSize) cost about 0.4 s on
    // a quiet 2-core machine. Before, the process died; a lower maxAnswerSize stalls less.
    await expectHealthy(target, freshPing(target), { maxLagMs: 1_000 });
  }, 40_000);

  it('holds the answers of batches kept open by a slow member within maxAnsweringBytes', async () => {
    const client = await rawClient(target.info.url);
    await settleDown(target);
    // 20 batches of 15 answers of 1 MB each, every batch waiting for a call that sleeps a minute.
    for (let batch = 0; batch < 20; batch++) {
      const members = Array.from({ length: 15 }, (_, i) => ({
        jsonrpc: '2.0',
        id: `${batch}-${i}`,
        method: 'big',
        params: [1_000_000],
      }));
      client.send([...members, { jsonrpc: '2.0', id: `${batch}-slow`, method: 'sleep', params: [60_000] }]);
    }
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    // 300 MB of answers without the bound (355 MiB RSS before it); the process must stay well
    // below. Making and dropping that many 1 MB results costs collections, so the RSS depends on
    // when they run: 188-206 MiB alone, 256 MiB once under the whole suite's parallel load. The
    // bounds leave room for that on a loaded machine.
    await expectHealthy(target, freshPing(target), { maxRssMb: 290, maxLagMs: 1_000 });
    client.close();
  }, 30_000);

  it('refuses calls past maxAnswering instead of holding them all', async () => {
    await settleDown(target);
    const client = await rawClient(target.info.url);
    // 20,000 calls that would each run a minute: the default limit holds 10,000 of them.
    for (let frame = 0; frame < 200; frame++) {
      client.send(
        Array.from({ length: 100 }, (_, i) => ({
          jsonrpc: '2.0',
          id: frame * 100 + i,
          method: 'sleep',
          params: [60_000],
        })),
      );
    }
    const refused = () =>
      client.answers.flat().filter((answer) => (answer as { error?: { code: number } }).error?.code === -32005).length;
    await until(() => refused() >= 10_000 || !target.alive, 15_000, '10,000 refusals');
    expect(await target.ask('peers')).toBeGreaterThan(0);
    // 20,000 calls in one burst: the ticks that read it and the collections after it stay
    // under 0.2 s on a quiet machine; the bound leaves room for a loaded one.
    const stats = await expectHealthy(target, freshPing(target), { maxRssMb: 400, maxLagMs: 1_000 });
    expect(stats.maxRss).toBeLessThan(400 * 1_048_576);
    client.close();
  }, 40_000);

  it('runs notification handlers within handlerConcurrency and gives them up at handlerTimeout', async () => {
    await settleDown(target);
    const before = await target.ask<{ started: number; aborted: number }>('notes');
    const client = await rawClient(target.info.url);
    for (let i = 0; i < 2_000; i++) client.send({ jsonrpc: '2.0', method: 'note', params: [2_000] });
    await withDeadline(
      until(() => client.socket.bufferedAmount === 0, 5_000, 'the flood to be written'),
      6_000,
      'the flood',
    );
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const notes = await target.ask<{ maxRunning: number; started: number; aborted: number }>('notes');
    // 4 at a time, each given up after 500 ms: in 1.2 s, at most 12 of them started.
    expect(notes.maxRunning).toBeLessThanOrEqual(4);
    expect(notes.started - before.started).toBeLessThanOrEqual(12);
    expect(notes.aborted - before.aborted).toBeGreaterThanOrEqual(4);
    client.close();
    await expectHealthy(target, freshPing(target), { maxLagMs: 1_000 });
  }, 30_000);
});
