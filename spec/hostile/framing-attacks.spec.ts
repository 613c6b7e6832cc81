import { once } from 'node:events';
import { connect as netConnect, type Socket } from 'node:net';
import { connect } from 'rx-jsonrpc';
import { tcp } from 'rx-jsonrpc/node';
import { expectHealthy, startTarget, stopTargets, withDeadline, type Target } from './harness/target';

// Byte streams that once looped, stalled or swelled a stream() server, sent to one running
// in its own process (targets/framing-server.ts); after each, it must still be healthy.
afterAll(stopTargets);

type Info = { port: number };
type Seen = { problems: string[]; closes: { name: string; message: string; code?: number; reason?: string }[] };
const mib = 1_048_576;
const ping = (id: number) => JSON.stringify({ jsonrpc: '2.0', id, method: 'ping' });
const framed = (text: string) => `Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`;

/** A raw socket to the target: what it receives is kept as text (the last 64 KiB). */
async function attacker(port: number) {
  const socket: Socket = netConnect({ host: '127.0.0.1', port });
  await once(socket, 'connect');
  let received = '';
  socket.on('data', (chunk: Buffer) => (received = (received + chunk.toString('latin1')).slice(-65_536)));
  socket.on('error', () => undefined);
  const closed = once(socket, 'close').then(() => undefined);
  return {
    socket,
    closed,
    /** Writes `data`, waiting for the socket to drain so the parent holds little. */
    async write(data: string | Buffer) {
      if (!socket.write(data)) await Promise.race([once(socket, 'drain'), closed]);
    },
    /** Resolves once the received text matches `pattern`. */
    async receive(pattern: RegExp, ms = 5_000) {
      const deadline = Date.now() + ms;
      while (!pattern.test(received)) {
        if (Date.now() > deadline)
          throw new Error(`no ${pattern} within ${ms} ms; received ${JSON.stringify(received.slice(-200))}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
  };
}

/** A fresh client's ping over tcp(), as a user would make it. */
function freshPing(target: Target<Info>, framing: 'content-length' | 'newline') {
  return async () => {
    const rpc = connect(tcp({ host: '127.0.0.1', port: target.info.port, framing }), { timeout: 3_000 });
    try {
      expect(await rpc.request('ping')).toBe('pong');
    } finally {
      rpc.close();
    }
  };
}

describe('a stream() server with content-length framing, under attack', () => {
  let target: Target<Info>;
  beforeAll(async () => {
    target = await startTarget<Info>('framing-server', [JSON.stringify({ framing: 'content-length' })]);
  }, 30_000);

  it.each([
    ['an empty header block', '\r\n\r\n'],
    ['many empty header blocks', '\r\n\r\n'.repeat(1_000)],
    ['a header block without Content-Length', 'Content-Type: application/json\r\n\r\n'],
    ['a Content-Length that is not a number', 'Content-Length: -1\r\n\r\n'],
  ])('reports %s, resynchronises, and answers the next frame on the same link', async (_, bad) => {
    const client = await attacker(target.info.port);
    // Alone in their chunk: a decoder that keeps them without progress never sees the frame after.
    await client.write(bad);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await client.write(framed(ping(1)));
    await client.receive(/"id":1,"result":"pong"/);
    client.socket.destroy();
    const seen = await target.ask<Seen>('problems');
    expect(seen.problems[0]).toMatch(/^Bad header: /);
    await expectHealthy(target, freshPing(target, 'content-length'));
  });

  it('ends the link on a Content-Length of 99999999999999999999 (1009), and a fresh one works', async () => {
    const client = await attacker(target.info.port);
    await client.write('Content-Length: 99999999999999999999\r\n\r\n' + framed(ping(1)));
    await withDeadline(client.closed, 3_000, 'the close of the attacked link');
    const seen = await target.ask<Seen>('problems');
    expect(seen.closes).toContainEqual({
      name: 'ConnectionClosedError',
      code: 1009,
      message: 'attacker: Frame of 99999999999999999999 bytes refused: larger than maxFrameSize (67108864)',
      reason: 'Frame of 99999999999999999999 bytes refused: larger than maxFrameSize (67108864)',
    });
    await expectHealthy(target, freshPing(target, 'content-length'));
  });

  it('reads a 60 MiB frame sent in 64 KiB chunks without stalling, within seconds', async () => {
    const client = await attacker(target.info.port);
    const text = JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'ping', params: ['x'.repeat(60 * mib)] });
    const bytes = Buffer.from(framed(text));
    const started = Date.now();
    for (let at = 0; at < bytes.length; at += 65_536) await client.write(bytes.subarray(at, at + 65_536));
    await client.receive(/"id":7,"result":"pong"/, 10_000);
    expect(Date.now() - started).toBeLessThan(5_000);
    client.socket.destroy();
    // The framing itself is held to 200 ms in the decoder tests below. Here the peer also
    // JSON.parses the 60 MiB frame in one call V8 cannot split (0.1 s idle, over 1 s on a
    // loaded CI machine): the bound is on that, and on the process surviving it.
    await expectHealthy(target, freshPing(target, 'content-length'), { maxLagMs: 2_500, maxRssMb: 450 });
  }, 30_000);
});

describe('a stream() server with newline framing, under attack', () => {
  let target: Target<Info>;
  beforeAll(async () => {
    target = await startTarget<Info>('framing-server', [JSON.stringify({ framing: 'newline' })]);
  }, 30_000);

  it('drops an unterminated 160 MiB line with bounded memory, and the link stays usable', async () => {
    const client = await attacker(target.info.port);
    const block = Buffer.alloc(mib, 'x');
    for (let i = 0; i < 160; i++) await client.write(block);
    await client.write(`\n${ping(2)}\n`);
    await client.receive(/"id":2,"result":"pong"/, 10_000);
    client.socket.destroy();
    const seen = await target.ask<Seen>('problems');
    expect(seen.problems).toEqual(['Line dropped: longer than maxLineSize (67108864 bytes)']);
    await expectHealthy(target, freshPing(target, 'newline'), { maxRssMb: 300 });
  }, 30_000);
});

describe('a stream() server whose reader never reads', () => {
  let target: Target<Info>;
  beforeAll(async () => {
    target = await startTarget<Info>('framing-server', [JSON.stringify({ framing: 'content-length' })]);
  }, 30_000);

  it('refuses frames past the high-water mark: memory stays bounded and calls fail at once', async () => {
    const client = await attacker(target.info.port);
    await client.write(framed(ping(1)));
    await client.receive(/"id":1,"result":"pong"/);
    client.socket.pause();
    const result = await target.ask<{ call?: { name: string; message: string } }>(
      'flood',
      { count: 300, size: mib },
      20_000,
    );
    expect(result.call).toEqual({
      name: 'TransportError',
      message: expect.stringMatching(
        /^Request \d+ \(anything\) failed: Send buffer full: \d+ bytes wait to go to attacker \(highWaterMark 16777216\)$/,
      ) as string,
    });
    const seen = await target.ask<Seen>('problems');
    expect(seen.problems.at(-1)).toMatch(/^Send buffer full: /);
    client.socket.destroy();
    await expectHealthy(target, freshPing(target, 'content-length'), { maxRssMb: 300 });
  }, 30_000);
});

describe.each(['content-length', 'newline'] as const)('a %s decoder fed one 64 MiB frame', (framing) => {
  it('decodes it in 64 KiB chunks in linear time, no chunk stalling the event loop', async () => {
    const target = await startTarget('framing-decode');
    await target.stats(true);
    const size = 64 * mib;
    const result = await target.ask<{ ms: number; lengths: number[]; errors: string[] }>(
      'decode',
      { framing, size, chunk: 65_536 },
      20_000,
    );
    expect(result).toEqual({ ms: expect.any(Number) as number, lengths: [size], errors: [] });
    expect(result.ms).toBeLessThan(5_000);
    await expectHealthy(target, () => Promise.resolve(), { maxLagMs: 200 });
    await target.stop();
  }, 30_000);
});
