// Fuzzing serve()'s dispatcher from outside its process: random and mutated frames over a
// real WebSocket into a server in a child process (targets/dispatch-serve.ts), and after
// EVERY frame the server must still be running, answer a ping within 2 s (on the same
// connection, or on a fresh one if it closed that one), and not have stalled its event
// loop. Every answer it sends must be valid JSON-RPC 2.0, and no id may be answered more
// often than it was sent. Seeded: FUZZ_SEED (default Date.now(), printed), FUZZ_RUNS
// (default 300, about 10 s; `npm run fuzz` runs 100 000).
import fc from 'fast-check';
import { WebSocket, type RawData } from 'ws';
import { expectHealthy, startTarget, stopTargets, withDeadline, type Target } from './harness/target';

const seed = Number(process.env.FUZZ_SEED ?? Date.now());
const runs = Number(process.env.FUZZ_RUNS ?? 300);
console.log(`dispatch fuzz: FUZZ_SEED=${seed} FUZZ_RUNS=${runs}`);

const pingDeadlineMs = 2_000;
const maxLagMs = 200;
const maxRssMb = 300;
const maxBatchSize = 1_000;
// Binary frames are decoded as UTF-8, so that they reach the dispatcher rather than only a report.
const serverOptions = JSON.stringify({ peer: { binaryFrames: 'utf8', maxBatchSize } });

/** One frame to send: text, bytes sent as a binary frame, or bytes sent as a text frame (invalid UTF-8). */
class Input {
  constructor(
    readonly kind: 'text' | 'binary' | 'raw-text',
    readonly data: string | Uint8Array,
  ) {}

  /** How fast-check and failure messages show it: long frames are cut. */
  [fc.toStringMethod](): string {
    const text = typeof this.data === 'string' ? this.data : Buffer.from(this.data).toString('hex');
    const shown = text.length > 300 ? `${text.slice(0, 150)}…(${text.length} chars)…${text.slice(-150)}` : text;
    return `${this.kind}(${JSON.stringify(shown)})`;
  }
}

// --- Inputs: JSON fragments assembled as text, so that numbers and keys arrive exactly as written.

const str = (value: string) => JSON.stringify(value);
const nest = (depth: number, open: string, inner: string, close: string) =>
  open.repeat(depth) + inner + close.repeat(depth);
const exoticNames = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'then', 'prototype'];
const json = fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value));
const hugeNumber = fc.constantFrom('1e400', '-1e400', '123456789012345678901234567890', '4.9e-400', '-0', '1.0');
const wrongType = fc.constantFrom('null', 'true', 'false', '{}', '[]', '[1]', '{"__proto__":1}', '""');
const longString = fc.integer({ min: 1_000, max: 300_000 }).map((length) => str('x'.repeat(length)));

const id = fc.oneof(
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc.string({ maxLength: 12 }).map(str),
  fc.constantFrom(...exoticNames).map(str),
  hugeNumber,
  wrongType,
  longString,
);
const handlers = ['ping', 'echo', 'throw', 'reject', 'observe', 'later', 'notice'];
const method = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...handlers).map(str) },
  fc.constantFrom(...exoticNames, 'missing', 'rpc.discover', '$/cancelRequest', '', 'ping ').map(str),
  fc.oneof(hugeNumber, wrongType, longString),
);
/** What makes the handlers of targets/dispatch-serve.ts reject with a value that is hard to describe. */
const rejections = [
  'null-prototype',
  'to-string-not-a-function',
  'revoked-proxy',
  'throwing-getter',
  'symbol',
  'bigint',
  'undefined',
];
const deep = fc.integer({ min: 1, max: 10_000 });
const params = fc.oneof(
  { weight: 3, arbitrary: json },
  fc.constantFrom(...rejections).map((name) => `[${str(name)}]`),
  fc.constantFrom(...exoticNames).map((name) => `{${str(name)}:{"toString":1,"valueOf":null}}`),
  fc.constantFrom('{"toString":1}', '{"message":1,"stack":{}}', '[1e400]', '["\\ud800"]', '[[]]', '[5]', '[50]'),
  deep.map((depth) => nest(depth, '[', '', ']')),
  deep.map((depth) => nest(depth, '{"a":', '1', '}')),
  longString.map((text) => `[${text}]`),
  fc.oneof(hugeNumber, wrongType),
);
const version = fc.oneof(
  { weight: 8, arbitrary: fc.constant('"2.0"') },
  fc.constantFrom('"1.0"', '2', '2.0', 'null', '"2.0 "', '["2.0"]'),
);
const errorObject = fc.oneof(
  fc
    .tuple(fc.oneof(fc.integer().map(String), hugeNumber, wrongType, fc.constant('1.5')), json)
    .map(([code, message]) => `{"code":${code},"message":${message}}`),
  json,
);
/** A message as fields that may each be left out, so that every mix of missing and mutated fields occurs. */
const message = fc
  .record(
    {
      jsonrpc: version,
      id,
      method,
      params,
      result: json,
      error: errorObject,
      extra: fc.constantFrom(...exoticNames).map((name) => `${str(name)}:{}`),
    },
    { requiredKeys: [] },
  )
  .map((fields) =>
    Object.entries(fields)
      .map(([key, value]) => (key === 'extra' ? value : `${str(key)}:${value}`))
      .join(','),
  )
  .map((body) => `{${body}}`);
/** A well-formed call of one of the handlers (a notification when it has no id), so that handlers actually run. */
const callWith = (withParams: fc.Arbitrary<string>) =>
  fc
    .tuple(fc.constantFrom(...handlers), fc.option(fc.integer({ min: -5, max: 20 })), withParams)
    .map(([name, n, p]) => `{"jsonrpc":"2.0",${n === null ? '' : `"id":${n},`}"method":${str(name)},"params":${p}}`);
const call = callWith(params);
const smallCall = callWith(fc.constantFrom('[]', '[1]', '{"a":1}', '[5]', '["undefined"]'));
const anyMessage = fc.oneof({ weight: 2, arbitrary: call }, { weight: 2, arbitrary: message }, json);
const batch = fc.oneof(
  { weight: 4, arbitrary: fc.array(anyMessage, { maxLength: 8 }).map((members) => `[${members.join(',')}]`) },
  fc
    .tuple(fc.constantFrom(0, 1, 999, 1_000, 1_001, 5_000), smallCall)
    .map(([size, member]) => `[${new Array<string>(size).fill(member).join(',')}]`),
);
const text = fc.oneof(
  { weight: 4, arbitrary: anyMessage },
  { weight: 2, arbitrary: batch },
  fc.tuple(anyMessage, fc.nat()).map(([whole, cut]) => whole.slice(0, cut % (whole.length + 1))),
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.constantFrom('', ' ', '[', '{', '{"jsonrpc":', '[1,]', 'NaN', 'undefined', '\u0000', '\ufeff{}', '"'),
  fc.constant('[' + str('x'.repeat(1_048_576)) + ']'),
);
const invalidUtf8 = fc.constantFrom([0xff], [0xc3, 0x28], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0x7b, 0xf8, 0x7d]);
const input: fc.Arbitrary<Input> = fc.oneof(
  { weight: 16, arbitrary: text.map((t) => new Input('text', t)) },
  text.map((t) => new Input('binary', Buffer.from(t))),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => new Input('binary', bytes)),
  invalidUtf8.map((bytes) => new Input('binary', Uint8Array.from(bytes))),
  invalidUtf8.map((bytes) => new Input('raw-text', Uint8Array.from(bytes))),
);

// --- The client side: one connection, what was sent on it, and what came back.

/** Whether a message is a notification the server must not answer. */
function isNotification(member: unknown): boolean {
  if (typeof member !== 'object' || member === null || Array.isArray(member)) return false;
  const { jsonrpc, method, params } = member as Record<string, unknown>;
  const paramsOk = params === undefined || (typeof params === 'object' && params !== null);
  return jsonrpc === '2.0' && typeof method === 'string' && !Object.hasOwn(member, 'id') && paramsOk;
}

/**
 * What a frame may be answered with: for each legal id of its members (as JSON), one answer;
 * and `anonymous` answers with a null id (one per member that is not a notification, or one
 * for the whole frame when it is not JSON, or a batch empty or over `maxBatchSize`).
 */
function owedBy(input: Input): { ids: string[]; anonymous: number } {
  let value: unknown;
  try {
    const source =
      typeof input.data === 'string' ? input.data : new TextDecoder('utf-8', { fatal: true }).decode(input.data);
    value = JSON.parse(source);
  } catch {
    return { ids: [], anonymous: 1 };
  }
  const members = Array.isArray(value) ? value : [value];
  const ids = members
    .filter(
      (member): member is { id: unknown } =>
        typeof member === 'object' && member !== null && Object.hasOwn(member, 'id'),
    )
    .map((member) => member.id)
    .filter((memberId) => typeof memberId === 'string' || typeof memberId === 'number')
    .map((memberId) => JSON.stringify(memberId));
  const refused = Array.isArray(value) && (value.length === 0 || value.length > maxBatchSize) ? 1 : 0;
  return { ids, anonymous: members.filter((member) => !isNotification(member)).length + refused };
}

/** Why one answer is not a valid JSON-RPC 2.0 response, or undefined. */
function invalidAnswer(answer: unknown): string | undefined {
  if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) return 'not an object';
  const fields = answer as Record<string, unknown>;
  if (fields.jsonrpc !== '2.0') return '"jsonrpc" is not "2.0"';
  if (!Object.hasOwn(fields, 'id')) return 'no "id"';
  if (fields.id !== null && typeof fields.id !== 'string' && typeof fields.id !== 'number') return 'a bad "id"';
  if (Object.hasOwn(fields, 'result') === Object.hasOwn(fields, 'error')) return 'not exactly one of result/error';
  if (Object.hasOwn(fields, 'result')) return undefined;
  const error = fields.error as Record<string, unknown> | null;
  if (typeof error !== 'object' || error === null) return '"error" is not an object';
  if (!Number.isInteger(error.code)) return 'an error code that is not an integer';
  return typeof error.message === 'string' ? undefined : 'an error message that is not a string';
}

/** A client connection that checks every answer, and counts ids sent and answered. */
class Link {
  readonly problems: string[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly sent = new Map<string, number>();
  private readonly answered = new Map<string, number>();
  private anonymousOwed = 0;
  private nullAnswers = 0;
  private readonly pongs = new Map<string, (result: unknown) => void>();
  /** The last answer for each id (as JSON). */
  readonly answers = new Map<string, unknown>();

  private constructor(readonly socket: WebSocket) {
    this.closed = new Promise((resolve) =>
      socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    socket.on('message', (data, isBinary) => this.receive(data, isBinary));
    socket.on('error', () => undefined);
  }

  static async open(url: string): Promise<Link> {
    const socket = new WebSocket(url);
    await withDeadline(
      new Promise((resolve, reject) => {
        socket.once('open', resolve);
        socket.once('error', reject);
      }),
      pingDeadlineMs,
      'opening a connection',
    );
    return new Link(socket);
  }

  get open(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  send(input: Input): void {
    const { ids, anonymous } = owedBy(input);
    this.anonymousOwed += anonymous;
    for (const key of ids) this.sent.set(key, (this.sent.get(key) ?? 0) + 1);
    this.socket.send(input.data, { binary: input.kind === 'binary' });
  }

  /** Sends a ping with a fresh id; resolves with its result, or undefined if the connection closes first. */
  async ping(n: number): Promise<unknown> {
    const pingId = `ping-${n}`;
    const answer = new Promise<unknown>((resolve) => this.pongs.set(pingId, resolve));
    this.sent.set(JSON.stringify(pingId), 1);
    this.socket.send(JSON.stringify({ jsonrpc: '2.0', id: pingId, method: 'ping' }));
    const result = await withDeadline(
      Promise.race([answer, this.closed.then(() => undefined)]),
      pingDeadlineMs,
      `the answer to ${pingId}`,
    );
    this.pongs.delete(pingId);
    return result;
  }

  private receive(data: RawData, isBinary: boolean): void {
    let value: unknown;
    try {
      value = JSON.parse(data.toString());
    } catch {
      return void this.problems.push(`an answer that is not JSON: ${data.toString().slice(0, 200)}`);
    }
    if (isBinary) this.problems.push('an answer in a binary frame');
    if (Array.isArray(value) && value.length === 0) this.problems.push('an empty batch answer');
    for (const answer of Array.isArray(value) ? value : [value]) {
      const invalid = invalidAnswer(answer);
      if (invalid !== undefined) {
        this.problems.push(`an invalid answer (${invalid}): ${JSON.stringify(answer).slice(0, 200)}`);
        continue;
      }
      this.count((answer as { id: string | number | null; result?: unknown }).id, answer);
    }
  }

  private count(answerId: string | number | null, answer: { result?: unknown }): void {
    if (typeof answerId === 'string') this.pongs.get(answerId)?.(answer.result);
    if (answerId === null) {
      if (++this.nullAnswers > this.anonymousOwed)
        this.problems.push(`${this.nullAnswers} answers with a null id where at most ${this.anonymousOwed} are owed`);
      return;
    }
    const key = JSON.stringify(answerId);
    this.answers.set(key, answer);
    const times = (this.answered.get(key) ?? 0) + 1;
    this.answered.set(key, times);
    if (times > (this.sent.get(key) ?? 0))
      this.problems.push(
        `answer number ${times} with id ${key.slice(0, 100)}, sent ${this.sent.get(key) ?? 0} time(s)`,
      );
  }
}

// --- The attack: one frame, then liveness.

afterAll(stopTargets);

describe('serve() fuzzed over a real WebSocket', () => {
  let target: Target<{ url: string }> | undefined;
  let link: Link | undefined;
  let pings = 0;
  let worstLagMs = 0;
  let worstRss = 0;
  let cpuAtReset = 0;
  const closes = new Map<string, number>();

  afterAll(async () => {
    link?.socket.terminate();
    const notices = target?.alive === true ? await target.ask('notices') : 'unknown';
    console.log(
      `dispatch fuzz (FUZZ_SEED=${seed}): ${pings} pings, ${String(notices)} notifications handled, ` +
        `closes by the server ${JSON.stringify([...closes])}`,
    );
  });

  const running = async (): Promise<Target<{ url: string }>> => {
    if (target?.alive) return target;
    link?.socket.terminate();
    link = undefined;
    target = await startTarget<{ url: string }>('dispatch-serve', [serverOptions]);
    await target.stats(true);
    cpuAtReset = await target.ask<number>('cpuMs');
    return target;
  };

  const died = (server: Target) => {
    const exit = server.exit!;
    return `the server died (${exit.signal ?? `code ${exit.code}`}): ${exit.stderr.trim().slice(-1_200)}`;
  };

  /** Sends `frame`, checks the server runs, answers a ping within 2 s and sent only valid answers; returns its longest stall. */
  const deliver = async (frame: Input): Promise<number> => {
    const server = await running();
    link = link?.open ? link : await Link.open(server.info.url);
    link.send(frame);
    let result = await link.ping(++pings);
    if (result === undefined) {
      const { code, reason } = await link.closed;
      const key = `${code} ${reason}`;
      closes.set(key, (closes.get(key) ?? 0) + 1);
      if (!server.alive) throw new Error(died(server));
      link = await Link.open(server.info.url);
      result = await link.ping(++pings);
    }
    if (!server.alive) throw new Error(died(server));
    if (result !== 'pong') throw new Error(`ping answered ${JSON.stringify(result)}`);
    if (link.problems.length > 0) throw new Error(`the server sent ${link.problems.join('; ')}`);
    const stats = await server.stats(true);
    const cpuMs = await server.ask<number>('cpuMs');
    const spent = cpuMs - cpuAtReset;
    cpuAtReset = cpuMs;
    worstRss = Math.max(worstRss, stats.maxRss);
    return Math.min(stats.maxLagMs, spent);
  };

  /**
   * `deliver`, and checks the event loop never stalled. On a machine busy with other
   * processes (2 cores, parallel suites) timers fire late without any fault of the server's,
   * so a stall counts for no longer than the CPU time the server spent meanwhile, and is
   * confirmed by sending the frame again: one caused by the frame comes back.
   */
  const attack = async (frame: Input): Promise<Link> => {
    let lag = await deliver(frame);
    if (lag > maxLagMs) {
      const first = lag;
      lag = Math.min(lag, await deliver(frame));
      if (lag > maxLagMs)
        throw new Error(`the event loop stalled for ${Math.round(first)} ms, then ${Math.round(lag)} ms`);
    }
    worstLagMs = Math.max(worstLagMs, lag);
    return link!;
  };

  /** `attack`, with the seed in any failure, and a fresh server and connection after one. */
  const attackOrReport = async (frame: Input): Promise<Link> => {
    try {
      return await attack(frame);
    } catch (error) {
      link?.socket.terminate();
      link = undefined;
      // A connection reset may be the first sign of a crash: wait for the exit to tell which.
      const server = target;
      const deadline = Date.now() + 1_000;
      while (server?.alive === true && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      const why = server?.alive === false ? died(server) : (error as Error).message;
      await server?.stop();
      throw new Error(`FUZZ_SEED=${seed}: after ${fc.stringify(frame)}: ${why}`, { cause: error });
    }
  };

  it(
    'answers a ping after every random or mutated frame, and sends only valid answers, never two for one id',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.limitShrink(fc.array(input, { minLength: 1, maxLength: 3 }), 40), async (frames) => {
          for (const frame of frames) await attackOrReport(frame);
        }),
        { seed, numRuns: runs },
      );
    },
    Math.max(60_000, runs * 1_000),
  );

  it('stays under its memory bound and never stalls its event loop', async () => {
    const server = await running();
    const stats = await expectHealthy(server, () => attack(new Input('text', '[]')), { maxRssMb, maxLagMs });
    worstLagMs = Math.max(worstLagMs, stats.maxLagMs);
    worstRss = Math.max(worstRss, stats.maxRss);
    console.log(`dispatch fuzz: worst event-loop stall ${Math.round(worstLagMs)} ms, RSS ${worstRss >> 20} MiB`);
    expect(worstLagMs).toBeLessThanOrEqual(maxLagMs);
    expect(worstRss).toBeLessThanOrEqual(maxRssMb * 1_048_576);
  });

  describe('when a handler fails with a value that is hard to describe', () => {
    const cases = [
      ...rejections.map((name) => [`rejects with a ${name}`, 'reject', `[${str(name)}]`]),
      ['rejects with {"toString":1} from the wire', 'reject', '{"toString":1}'],
      ['rejects with an array nested 10,000 deep from the wire', 'reject', nest(10_000, '[', '', ']')],
      ['returns an Observable that errors with {"toString":1}', 'observe', '{"toString":1}'],
    ];

    it.each(cases)('answers -32603 and keeps answering when a handler %s', async (_, name, args) => {
      const frame = new Input('text', `{"jsonrpc":"2.0","id":"hard","method":${str(name!)},"params":${args}}`);
      const answered = await attackOrReport(frame);
      // The ping may overtake an answer that waited for a microtask.
      const deadline = Date.now() + pingDeadlineMs;
      while (!answered.answers.has('"hard"') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(answered.answers.get('"hard"')).toEqual({
        jsonrpc: '2.0',
        id: 'hard',
        error: { code: -32603, message: 'Internal error' },
      });
    });
  });
});
