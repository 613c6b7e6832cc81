import { once } from 'node:events';
import { connect as netConnect } from 'node:net';
import fc from 'fast-check';
import { expectHealthy, startTarget, stopTargets, withDeadline, type Target } from './harness/target';

// Random and mutated byte streams into a stream() server's framing, in its own process
// (targets/framing-server.ts). After EVERY input, the server must still be alive and answer a
// ping. FUZZ_RUNS sets the number of inputs per framing (npm run fuzz: 100,000); FUZZ_SEED
// replays a failure, whose seed fast-check prints.
afterAll(stopTargets);

const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
const runs = Number(process.env.FUZZ_RUNS ?? 100);
console.log(`framing-fuzz.spec.ts: FUZZ_SEED=${seed} FUZZ_RUNS=${runs}`);

type Framing = 'content-length' | 'newline';
type Info = { port: number };
const encode = (framing: Framing, text: string) =>
  framing === 'newline' ? `${text}\n` : `Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`;

/** Sends `bytes` on a new socket, then `ping` with `id`; resolves with whether the answer came back on it. */
async function attack(port: number, bytes: Buffer, framing: Framing, id: number, waitMs: number): Promise<boolean> {
  const socket = netConnect({ host: '127.0.0.1', port });
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  let received = '';
  const answered = new Promise<boolean>((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      received = (received + chunk.toString('latin1')).slice(-4_096);
      if (received.includes(`"id":${id},"result":"pong"`)) resolve(true);
    });
    socket.once('close', () => resolve(false));
    setTimeout(() => resolve(false), waitMs);
  });
  if (bytes.length > 0) {
    socket.write(bytes);
    // Alone in its chunk, as a slow sender's would be: a decoder that waits for more must not hang.
    await new Promise((resolve) => setTimeout(resolve, 15));
  }
  socket.write(encode(framing, JSON.stringify({ jsonrpc: '2.0', id, method: 'ping' })));
  try {
    return await answered;
  } finally {
    socket.destroy();
  }
}

/** Frames as a sender would write them, then damaged: bytes flipped, cut, duplicated, bogus headers and huge lengths inserted. */
function mutatedStream(framing: Framing) {
  const frame = fc
    .constantFrom(
      '{"jsonrpc":"2.0","id":1,"method":"ping"}',
      '{"jsonrpc":"2.0","method":"echo","params":["é😀"]}',
      '[{"jsonrpc":"2.0","id":2,"method":"echo","params":{"a":[1,2]}}]',
      '{"jsonrpc":"2.0","id":3,"result":null}',
    )
    .map((text) => encode(framing, text));
  const inserted = fc.constantFrom(
    'Content-Length: 99999999999999999999\r\n\r\n',
    'Content-Length: 67108864\r\n\r\n',
    '\r\n\r\n',
    'Content-Length: -1\r\n\r\n',
    'Content-Length: 5\r\nContent-Length: 6\r\n\r\n',
    'X-Header: yes\r\n\r\n',
    '\n',
    '\r',
    'x'.repeat(9_000),
  );
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat({ max: 7 }) }),
    fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), length: fc.nat({ max: 50 }) }),
    fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), length: fc.nat({ max: 50 }) }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: inserted }),
  );
  const damaged = fc
    .tuple(fc.array(frame, { maxLength: 6 }), fc.array(mutation, { maxLength: 6 }))
    .map(([frames, mutations]) => {
      let bytes = Buffer.from(frames.join(''));
      for (const m of mutations) {
        const at = bytes.length === 0 ? 0 : m.at % bytes.length;
        if (m.kind === 'flip' && bytes.length > 0) bytes[at] = bytes[at]! ^ (1 << m.bit);
        if (m.kind === 'cut') bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + m.length)]);
        if (m.kind === 'duplicate') bytes = Buffer.concat([bytes.subarray(0, at + m.length), bytes.subarray(at)]);
        if (m.kind === 'insert')
          bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(m.text), bytes.subarray(at)]);
      }
      return bytes;
    });
  return fc.oneof(
    damaged,
    fc.uint8Array({ maxLength: 300 }).map((array) => Buffer.from(array)),
  );
}

describe.each(['content-length', 'newline'] as const)('a stream() server with %s framing, fuzzed', (framing) => {
  let target: Target<Info>;
  beforeAll(async () => {
    target = await startTarget<Info>('framing-server', [JSON.stringify({ framing })]);
  }, 30_000);

  it('stays alive and answers a ping after every input (property)', async () => {
    let id = 1_000;
    let sameLink = 0;
    await fc.assert(
      fc.asyncProperty(mutatedStream(framing), async (bytes) => {
        // On the attacked link if it still reads, else (closed, or desynchronised) on a fresh one.
        if (await attack(target.info.port, bytes, framing, ++id, 150)) sameLink++;
        else
          expect(
            await withDeadline(attack(target.info.port, Buffer.alloc(0), framing, ++id, 2_000), 3_000, 'a fresh ping'),
          ).toBe(true);
        if (!target.alive) throw new Error(`the target died (FUZZ_SEED=${seed})`);
      }),
      { seed, numRuns: runs },
    );
    await expectHealthy(
      target,
      async () => expect(await attack(target.info.port, Buffer.alloc(0), framing, 1, 2_000)).toBe(true),
      {
        maxRssMb: 400,
        maxLagMs: 500,
      },
    );
    console.log(`${framing}: ${sameLink} of ${runs} inputs left the attacked link answering`);
  }, 60_000);
});
