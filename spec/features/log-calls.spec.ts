// Per-call log lines: logCalls() for the calls a peer makes, logPeer() for its link, its errors and the calls it answers.
import { firstValueFrom, lastValueFrom, NEVER, throwError, timer } from 'rxjs';
import {
  batch$,
  connect,
  generic,
  JsonRpcError,
  logCalls,
  logPeer,
  memoryPair,
  type CallLogFields,
  type Logger,
  type Peer,
} from 'rx-jsonrpc';
import { closeAll, peerPair, peerWithRawServer } from '../helpers/memory-peers';
import { settle } from '../helpers/raw-end';
import { keptLog, type Line } from '../helpers/kept-log';

const made: Peer[] = [];

afterEach(async () => {
  closeAll();
  await Promise.all(made.splice(0).map((peer) => peer.close()));
});

/** A logger whose every method throws. */
const brokenLog: Logger = {
  debug: () => {
    throw new Error('log down');
  },
  info: () => {
    throw new Error('log down');
  },
  warn: () => {
    throw new Error('log down');
  },
  error: () => {
    throw new Error('log down');
  },
};

/** A client that logs its calls, and a server with a few methods. */
function pair(log: Logger, options: { timeout?: number; serialize?: boolean } = {}) {
  const link = memoryPair({ serialize: options.serialize ?? true });
  const dialect = generic();
  const server = connect(link.server, { dialect });
  const client = connect(link.client, { interceptors: [logCalls(log)], timeout: options.timeout ?? 3_000, dialect });
  server.handle('math.sum', ([a, b]: [number, number]) => a + b);
  server.handle('fail', () => {
    throw new JsonRpcError(4003, 'Log in first');
  });
  server.handle('hang', () => NEVER);
  made.push(client, server);
  return { client, server };
}

function fieldsOf(line: Line | undefined): CallLogFields {
  return line?.values[0] as CallLogFields;
}

describe('logCalls()', () => {
  it('writes a call that succeeds at debug, with its method, id, duration and outcome', async () => {
    const log = keptLog();
    const { client } = pair(log);
    await expect(client.request('math.sum', [1, 2])).resolves.toBe(3);
    expect(log.lines).toHaveLength(1);
    const [line] = log.lines;
    expect(line?.level).toBe('debug');
    expect(fieldsOf(line)).toEqual({
      rpc: 'call',
      method: 'math.sum',
      id: 1,
      ms: expect.any(Number),
      outcome: 'result',
    });
    expect(line?.values[1]).toMatch(/^rx-jsonrpc: call math\.sum \(1\): result in \d+ ms$/);
  });

  it('writes an error answer at warn, with its code and message', async () => {
    const log = keptLog();
    const { client } = pair(log);
    await expect(client.request('fail')).rejects.toBeInstanceOf(JsonRpcError);
    const [line] = log.lines;
    expect(line?.level).toBe('warn');
    expect(fieldsOf(line)).toMatchObject({
      rpc: 'call',
      method: 'fail',
      id: 1,
      outcome: 'error',
      code: 4003,
      error: 'Log in first',
    });
    expect(line?.values[1]).toMatch(/^rx-jsonrpc: call fail \(1\): error 4003 \(Log in first\) in \d+ ms$/);
  });

  it('writes a call that times out at warn', async () => {
    const log = keptLog();
    const { client } = pair(log, { timeout: 50 });
    await expect(client.request('hang')).rejects.toMatchObject({ name: 'RequestTimeoutError' });
    const [line] = log.lines;
    expect(line?.level).toBe('warn');
    expect(fieldsOf(line)).toMatchObject({
      method: 'hang',
      id: 1,
      outcome: 'timeout',
      error: 'Request 1 (hang) timed out after 50 ms',
    });
    expect(fieldsOf(line).ms).toBeGreaterThanOrEqual(45);
  });

  it('writes a call its caller unsubscribed from at debug, as cancelled', async () => {
    const log = keptLog();
    const { client } = pair(log);
    const subscription = client.request$('hang').subscribe();
    await firstValueFrom(timer(10));
    subscription.unsubscribe();
    expect(log.lines.map((line) => [line.level, fieldsOf(line).outcome, line.values[1]])).toEqual([
      ['debug', 'cancelled', expect.stringMatching(/^rx-jsonrpc: call hang \(1\): cancelled after \d+ ms$/)],
    ]);
  });

  it('writes a call that fails on this side at warn, with the reason', async () => {
    const log = keptLog();
    const { client, server } = pair(log);
    const answer = client.request('hang');
    await firstValueFrom(timer(10));
    void server.close();
    await expect(answer).rejects.toMatchObject({ name: 'ConnectionClosedError' });
    const [line] = log.lines;
    expect(line?.level).toBe('warn');
    expect(fieldsOf(line)).toMatchObject({ method: 'hang', id: 1, outcome: 'failed' });
    expect(fieldsOf(line).error).toMatch(/^Request 1 \(hang\) failed: /);
  });

  it('gives the caller its own onId too', async () => {
    const log = keptLog();
    const { client } = pair(log);
    const ids: unknown[] = [];
    await client.request('math.sum', [1, 1], { onId: (id) => ids.push(id) });
    expect(ids).toEqual([1]);
  });

  it("keeps the caller's own error when an interceptor below fails with something unreadable", async () => {
    const log = keptLog();
    const { proxy, revoke } = Proxy.revocable(new Error('gone'), {});
    revoke();
    const rpc = connect(memoryPair().client, { interceptors: [logCalls(log), () => throwError(() => proxy)] });
    made.push(rpc);
    // Through request$: a Promise resolved with a revoked Proxy reads its `then`, and throws.
    let caught: unknown;
    rpc.request$('math.sum', [1, 2]).subscribe({ error: (error: unknown) => (caught = error) });
    expect(caught === proxy).toBe(true); // jest cannot print a revoked Proxy: compared by hand
    expect(log.lines.map((line) => [line.level, fieldsOf(line).outcome, fieldsOf(line).error])).toEqual([
      ['warn', 'failed', 'an error that cannot be read'],
    ]);
  });

  it('never breaks a call when the logger throws', async () => {
    const { client } = pair(brokenLog, { timeout: 50 });
    await expect(client.request('math.sum', [2, 2])).resolves.toBe(4);
    await expect(client.request('fail')).rejects.toMatchObject({ code: 4003 });
    await expect(client.request('hang')).rejects.toMatchObject({ name: 'RequestTimeoutError' });
  });
});

describe('logPeer() with answers', () => {
  it.each([
    ['as text', true],
    ['as objects', false],
  ])('writes each call answered %s: a result at debug, an error answer at warn', async (_, serialize) => {
    const log = keptLog();
    const { client, server } = pair(keptLog(), { serialize });
    logPeer(server, log, { answers: true });
    await client.request('math.sum', [1, 2]);
    await expect(client.request('fail')).rejects.toBeInstanceOf(JsonRpcError);
    const calls = log.lines.filter((line) => fieldsOf(line).rpc === 'answer');
    expect(calls.map((line) => [line.level, fieldsOf(line)])).toEqual([
      ['debug', { rpc: 'answer', method: 'math.sum', id: 1, ms: expect.any(Number), outcome: 'result' }],
      [
        'warn',
        {
          rpc: 'answer',
          method: 'fail',
          id: 2,
          ms: expect.any(Number),
          outcome: 'error',
          code: 4003,
          error: 'Log in first',
        },
      ],
    ]);
    expect(calls[0]?.values[1]).toMatch(/^rx-jsonrpc: answer math\.sum \(1\): result in \d+ ms$/);
  });

  it("writes each member of a batch's answer, and a method nobody serves", async () => {
    const log = keptLog();
    const { client, server } = pair(keptLog());
    logPeer(server, log, { answers: true });
    await lastValueFrom(batch$(client, (b) => [b.request('math.sum', [1, 2]), b.request('nope')]));
    expect(log.lines.filter((line) => fieldsOf(line).rpc === 'answer').map((line) => fieldsOf(line))).toEqual([
      expect.objectContaining({ method: 'math.sum', outcome: 'result' }),
      expect.objectContaining({ method: 'nope', outcome: 'error', code: -32601, error: 'Method not found' }),
    ]);
  });

  it('writes a call its caller cancelled, and one left unanswered when the peer closes, at debug', async () => {
    const log = keptLog();
    const { client, server } = pair(keptLog());
    logPeer(server, log, { answers: true });
    const cancelled = client.request$('hang').subscribe();
    void client.request('hang').catch(() => undefined);
    await firstValueFrom(timer(10));
    cancelled.unsubscribe();
    await firstValueFrom(timer(10));
    await server.close();
    expect(
      log.lines
        .filter((line) => fieldsOf(line).rpc === 'answer')
        .map((line) => [line.level, fieldsOf(line).outcome, fieldsOf(line).id]),
    ).toEqual([
      ['debug', 'cancelled', 1],
      ['debug', 'abandoned', 2],
    ]);
  });

  it('cuts what the other side chose to 200 characters, and reads ids with quotes and escapes', async () => {
    const log = keptLog();
    const { peer, raw } = await peerWithRawServer();
    peer.handle('echo', () => 'x'.repeat(100_000));
    logPeer(peer, log, { answers: true });
    const long = 'm'.repeat(10_000);
    raw.send({ jsonrpc: '2.0', id: 'a"b\\c', method: 'echo' });
    raw.send({ jsonrpc: '2.0', id: long, method: long });
    await settle();
    const [echo, unknown] = log.lines.filter((line) => fieldsOf(line).rpc === 'answer');
    expect(fieldsOf(echo!)).toMatchObject({ method: 'echo', id: 'a"b\\c', outcome: 'result' });
    expect(fieldsOf(unknown!)).toMatchObject({
      id: `${'m'.repeat(200)}…`,
      method: `${'m'.repeat(200)}…`,
      outcome: 'error',
      code: -32601,
    });
    expect(String(unknown!.values[1]).length).toBeLessThan(600);
  });

  it('leaves the answers unlogged without the option', async () => {
    const log = keptLog();
    const { client, server } = pair(keptLog());
    logPeer(server, log);
    await client.request('math.sum', [1, 2]);
    expect(log.lines.filter((line) => fieldsOf(line).rpc === 'answer')).toEqual([]);
  });

  it('never breaks an answer when the logger throws', async () => {
    const { client, server } = pair(keptLog());
    logPeer(server, brokenLog, { answers: true });
    await expect(client.request('math.sum', [1, 2])).resolves.toBe(3);
    await expect(client.request('fail')).rejects.toMatchObject({ code: 4003 });
  });
});

describe('logPeer()', () => {
  it('writes the link opening and a deliberate close at info', async () => {
    const log = keptLog();
    const { client } = peerPair();
    logPeer(client, log);
    await firstValueFrom(timer(10));
    await client.close();
    expect(log.lines.map((line) => [line.level, line.values[1]])).toEqual([
      ['info', 'rx-jsonrpc: link open (memory)'],
      ['info', 'rx-jsonrpc: link closed'],
    ]);
  });

  it('writes a link that closes with an error at warn, with the cause', async () => {
    const log = keptLog();
    const { client, server } = peerPair();
    logPeer(client, log);
    await firstValueFrom(timer(10));
    await server.close();
    await firstValueFrom(timer(10));
    const last = log.lines.at(-1);
    expect(last?.level).toBe('warn');
    expect(last?.values[0]).toMatchObject({ rpc: 'link', state: 'closed' });
    expect(last?.values[1]).toMatch(/^rx-jsonrpc: link closed: /);
  });

  it('writes what its errors$ carries, the error itself, at warn', async () => {
    const log = keptLog();
    const { peer, raw } = await peerWithRawServer();
    logPeer(peer, log);
    raw.send('{"jsonrpc":"2.0","id":99,"result":1}');
    await settle();
    const errors = log.lines.filter((line) => line.values[0] instanceof Error);
    expect(errors.map((line) => [line.level, (line.values[0] as Error).message])).toEqual([
      ['warn', 'Response for unknown id 99'],
    ]);
  });

  it('writes at most 10 errors a minute', async () => {
    const log = keptLog();
    const { peer, raw } = await peerWithRawServer();
    logPeer(peer, log);
    for (let id = 1; id <= 30; id++) raw.send(`{"jsonrpc":"2.0","id":${1000 + id},"result":1}`);
    await settle();
    expect(log.lines.filter((line) => line.values[0] instanceof Error)).toHaveLength(10);
  });
});
