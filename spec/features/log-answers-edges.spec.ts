// The edges of per-call log lines: the calls a peer answers under a dialect that answers a
// cancel, while it sends frames of its own, more of them open than the log keeps, over codecs
// of the user's; and the lines of logPeer() and logCalls() for failures that are hard to print.
import { lastValueFrom, throwError } from 'rxjs';
import { batch$, connect, lsp, logCalls, logPeer, memoryPair, type CallLogFields, type Peer } from 'rx-jsonrpc';
import { rawEnd, type RawEnd } from '../helpers/raw-end';
import { keptLog, type Line } from '../helpers/kept-log';

const made: Peer[] = [];
const raws: RawEnd[] = [];

afterEach(async () => {
  for (const raw of raws.splice(0)) raw.close();
  await Promise.all(made.splice(0).map((peer) => peer.close()));
});

const fieldsOf = (line: Line) => line.values[0] as CallLogFields;

/** The lines about calls answered. */
const answerLines = (log: { lines: Line[] }) =>
  log.lines.filter((line) => (line.values[0] as Partial<CallLogFields> | undefined)?.rpc === 'answer');

/** Polls `ready` every 5 ms; fails saying `what` if it is not true within `ms`. */
async function until(what: string, ready: () => boolean, ms = 2_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`Not within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function pair(options: Parameters<typeof connect>[1] = {}) {
  const link = memoryPair();
  const server = connect(link.server, options);
  const client = connect(link.client, options);
  made.push(client, server);
  return { client, server };
}

describe('logPeer() with answers, under a dialect that answers a cancel (LSP)', () => {
  it('writes a call its caller cancelled at debug, as cancelled, not its -32800 answer as an error', async () => {
    const { client, server } = pair({ dialect: lsp() });
    let aborted = false;
    server.handle('hang', (_params, { signal }) => {
      signal.addEventListener('abort', () => (aborted = true));
      return new Promise(() => undefined);
    });
    const log = keptLog();
    logPeer(server, log, { answers: true });
    const call = client.request$('hang').subscribe();
    await until('the call to arrive', () => server.answeringCount === 1);
    call.unsubscribe();
    await until('the cancel to be answered', () => aborted && server.answeringCount === 0);
    expect(answerLines(log).map((line) => [line.level, fieldsOf(line), line.values[1]])).toEqual([
      [
        'debug',
        { rpc: 'answer', method: 'hang', id: 1, ms: expect.any(Number) as number, outcome: 'cancelled' },
        expect.stringMatching(/^rx-jsonrpc: answer hang \(1\): cancelled after \d+ ms$/),
      ],
    ]);
    expect(log.lines.filter((line) => line.level === 'warn' || line.level === 'error')).toEqual([]);
  });

  it('writes nothing for a cancel of a call it is not answering', async () => {
    const { client, server } = pair({ dialect: lsp() });
    server.handle('ping', () => 'pong');
    const log = keptLog();
    logPeer(server, log, { answers: true });
    await client.request('ping');
    client.notify('$/cancelRequest', { id: 1 });
    client.notify('$/cancelRequest', { id: 'never sent' });
    await expect(client.request('ping')).resolves.toBe('pong');
    expect(answerLines(log).map((line) => [fieldsOf(line).id, fieldsOf(line).outcome])).toEqual([
      [1, 'result'],
      [2, 'result'],
    ]);
  });
});

describe('logPeer() with answers, while the peer sends frames of its own', () => {
  it('writes a call when its answer goes, not at a batch of notifications its handler sends first', async () => {
    const { client, server } = pair();
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    server.handle('steps', async (_params, { peer }) => {
      await lastValueFrom(batch$(peer, (b) => [b.notify('step', [1]), b.notify('step', [2])]));
      await released;
      return 'done';
    });
    const log = keptLog();
    logPeer(server, log, { answers: true });
    const steps: unknown[] = [];
    client.notifications$('step').subscribe((params) => steps.push(params));
    const answer = client.request('steps');
    await until('both steps', () => steps.length === 2);
    expect(answerLines(log)).toEqual([]);
    release();
    await expect(answer).resolves.toBe('done');
    expect(answerLines(log).map((line) => [line.level, fieldsOf(line).id, fieldsOf(line).outcome])).toEqual([
      ['debug', 1, 'result'],
    ]);
  });
});

describe('logPeer() with answers, while its handler calls the other side with the same ids', () => {
  // Each side numbers its calls from 1: the server's own request 1 is no answer to the client's call 1.
  for (const [how, serialize, batched] of [
    ['one request, handed over as an object', false, false],
    ['a batch of requests, as text', true, true],
  ] as const) {
    it(`writes the call when its own answer goes, not at the handler’s ${how}`, async () => {
      const link = memoryPair({ serialize });
      const server = connect(link.server);
      const client = connect(link.client);
      made.push(client, server);
      const log = keptLog();
      logPeer(server, log, { answers: true });
      client.handle('who', () => 'me');
      let linesWhileRunning = -1;
      server.handle('slow', async (_params, { peer }) => {
        if (batched) await lastValueFrom(batch$(peer, (batch) => [batch.request('who'), batch.request('who')]));
        else await peer.request('who');
        linesWhileRunning = answerLines(log).length;
        return 'done';
      });
      expect(await client.request('slow')).toBe('done');
      expect(linesWhileRunning).toBe(0);
      await until('the answer line', () => answerLines(log).length > 0);
      expect(answerLines(log).map((line) => [fieldsOf(line).method, fieldsOf(line).outcome])).toEqual([
        ['slow', 'result'],
      ]);
    });
  }
});

describe('logPeer() with answers: more calls open than it keeps', () => {
  it('forgets the oldest past 10,000 calls being answered, which then goes unlogged', async () => {
    const link = memoryPair();
    const raw = await rawEnd(link.client);
    raws.push(raw);
    const server = connect(link.server, { maxAnswering: 20_000 });
    made.push(server);
    let release!: () => void;
    const released = new Promise<string>((resolve) => (release = () => resolve('done')));
    server.handle('wait', () => released);
    const log = keptLog();
    logPeer(server, log, { answers: true });
    for (let id = 1; id <= 10_001; id++) raw.send({ jsonrpc: '2.0', id, method: 'wait' });
    await until('every call to arrive', () => server.answeringCount === 10_001);
    release();
    await until('every answer', () => raw.received.length === 10_001);
    const ids = answerLines(log).map((line) => fieldsOf(line).id);
    expect(ids).toHaveLength(10_000);
    expect([ids[0], ids.at(-1), ids.includes(1)]).toEqual([2, 10_001, false]);
  });
});

describe("logPeer() with answers, over a codec of the user's", () => {
  it('reads the answers of a codec that writes JSON in an order of its own', async () => {
    // Keys sorted: not the start our own encoder writes, so each answer is parsed whole.
    const sorted = (value: unknown): unknown =>
      typeof value !== 'object' || value === null || Array.isArray(value)
        ? value
        : Object.fromEntries(
            Object.keys(value)
              .sort()
              .map((key) => [key, sorted((value as Record<string, unknown>)[key])]),
          );
    const codec = { encode: (message: object) => JSON.stringify(sorted(message)), decode: JSON.parse };
    const { client, server } = pair({ codec });
    server.handle('math.sum', ([a, b]: [number, number]) => a + b);
    const log = keptLog();
    logPeer(server, log, { answers: true });
    await client.request('math.sum', [1, 2]);
    await expect(client.request('nope')).rejects.toMatchObject({ code: -32601 });
    expect(answerLines(log).map((line) => [line.level, fieldsOf(line)])).toEqual([
      ['debug', { rpc: 'answer', method: 'math.sum', id: 1, ms: expect.any(Number) as number, outcome: 'result' }],
      [
        'warn',
        {
          rpc: 'answer',
          method: 'nope',
          id: 2,
          ms: expect.any(Number) as number,
          outcome: 'error',
          code: -32601,
          error: 'Method not found',
        },
      ],
    ]);
  });

  it('leaves unlogged the answers of a codec whose text is not JSON, and answers as ever', async () => {
    const codec = {
      encode: (message: object) => `rpc1 ${JSON.stringify(message)}`,
      decode: (text: string): unknown => JSON.parse(text.replace(/^rpc1 /, '')),
    };
    const { client, server } = pair({ codec });
    server.handle('math.sum', ([a, b]: [number, number]) => a + b);
    const log = keptLog();
    logPeer(server, log, { answers: true });
    await expect(client.request('math.sum', [1, 2])).resolves.toBe(3);
    await expect(client.request('math.sum', [2, 2])).resolves.toBe(4);
    expect(answerLines(log)).toEqual([]);
    expect(log.lines.filter((line) => line.level === 'warn' || line.level === 'error')).toEqual([]);
  });
});

describe("logPeer(): errors$ lines that can't be printed as they are", () => {
  it("writes a handler's error whose causes loop as one line of text, at error", async () => {
    const { client, server } = pair();
    server.handle('loop', () => {
      const error = new Error('query failed');
      error.cause = new Error('the pool is gone', { cause: error });
      throw error;
    });
    const log = keptLog();
    logPeer(server, log);
    await expect(client.request('loop')).rejects.toMatchObject({ code: -32603 });
    const errors = log.lines.filter((line) => line.level === 'error');
    expect(errors.map((line) => line.values)).toEqual([
      ['HandlerError: Handler of loop (request 1) failed: query failed (cause: query failed)'],
    ]);
  });

  it('writes an error with a long cause down its chain as one short line of text', async () => {
    const { client, server } = pair();
    server.handle('long', () => {
      throw new Error('failed', { cause: 'x'.repeat(5_000) });
    });
    const log = keptLog();
    logPeer(server, log);
    await expect(client.request('long')).rejects.toMatchObject({ code: -32603 });
    const [line] = log.lines.filter((each) => each.level === 'error');
    // Not the error itself, which a logger would print with every cause: 5,000 characters of them.
    expect(line?.values).toEqual(['HandlerError: Handler of long (request 1) failed: failed (cause: failed)']);
  });
});

describe('logCalls()', () => {
  it('writes a call that an interceptor below fails with something that is no Error, as failed', async () => {
    const log = keptLog();
    const rpc = connect(memoryPair().client, { interceptors: [logCalls(log), () => throwError(() => 'nope')] });
    made.push(rpc);
    await expect(rpc.request('math.sum', [1, 2])).rejects.toBe('nope');
    expect(log.lines.map((line) => [line.level, fieldsOf(line).outcome, line.values[1]])).toEqual([
      [
        'warn',
        'failed',
        expect.stringMatching(/^rx-jsonrpc: call math\.sum \(no id\): failed in \d+ ms: a value that is not an Error$/),
      ],
    ]);
  });
});
