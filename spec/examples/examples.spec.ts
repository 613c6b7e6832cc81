import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

// Every example runs as its own process, as a reader would run it: `tsx <file>` from the
// repository root. They all start at once, in beforeAll, and each test reads one result.

const root = join(__dirname, '..', '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');

/** What each example must print: whole lines, or patterns for lines that vary (ports, ticks). */
const expected: { readonly [file: string]: readonly (string | RegExp)[] } = {
  'examples/demo.ts': [
    'client <- 3',
    'client <- 84',
    'client <- [2,4,6]',
    'client <- delivered to 2 clients',
    'other  <~ chat.message client: hello',
    '  client <- ui.confirm "Buy coffee for 3 EUR?"',
    'client <- {"order":"A-17","status":"placed"}',
    'client <- JsonRpcError: Request 8 (math.product) failed: Method not found (-32601)',
    /^client <- RequestTimeoutError: Request \d+ \(report\.slow\) timed out after 300 ms$/m,
    /^client state: reconnecting \(attempt 1, after: Connection to ws:\/\/127\.0\.0\.1:\d+ closed \(1001: Server shutting down\): going away\)$/m,
    'client <- 10',
    'client state: closed',
    'done (0 calls pending)',
  ],
  'examples/quick-start.ts': ['1 + 2 = 3', '2 + 3 = 5', 'Request 3 (math.max) failed: Method not found (-32601)'],
  'examples/servers/math.ts': [
    /^math server listening on ws:\/\/127\.0\.0\.1:\d+$/m,
    'math.sum [1,2,3] = 6',
    'math.subtract [42,23] = 19',
    'math.sum {"a":1,"b":2} -> Request 3 (math.sum) failed: Invalid params (-32602) ("expected positional (array) params")',
    'math.subtract [10,"four"] -> Request 4 (math.subtract) failed: Invalid params (-32602) ("expected numbers")',
    'math.divide [1,2] -> Request 5 (math.divide) failed: Method not found (-32601)',
    'closed',
  ],
  'examples/servers/notifications.ts': [
    /^ada <~ clock\.tick \d+$/m,
    /^bob <~ clock\.tick \d+$/m,
    'ada -> prices.subscribe ACME: subscription 1',
    'ada <~ prices.update #1 ACME 100',
    'ada <~ prices.update #1 ACME 102',
    'ada -> prices.unsubscribe 1: true',
    'ada -> prices.unsubscribe 1 again: false',
    'bob <~ INIT 102',
    'closed',
  ],
  'examples/servers/callback.ts': [
    '  client <- ui.confirm "Delete notes.txt?" -> true',
    'client <- {"name":"notes.txt","deleted":true,"left":["report.pdf"]}',
    '  client <- ui.confirm "Delete report.pdf?" -> false',
    'client <- {"name":"report.pdf","deleted":false,"left":["report.pdf"]}',
    'bare client <- Request 1 (files.delete) failed: This client cannot confirm deletions (4000)',
    'closed',
  ],
  'examples/servers/authenticated.ts': [
    /^anonymous -> whoami: TransportError: Request 1 \(whoami\) failed: Could not connect to .*: Unexpected server response: 401$/m,
    'ada -> whoami: {"user":"ada","theme":"dark"}',
    'client -> secret: Request 1 (secret) failed: Log in first (4003)',
    'client -> login token-bob: Request 2 (login) failed: Unknown token (4001)',
    'client -> login token-ada: {"user":"ada"}',
    'client -> secret: "the secret, for ada"',
    'closed',
  ],
};

interface Run {
  readonly code: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(file: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(tsx, [file], { cwd: root, timeout: 30_000 }, (error, stdout, stderr) => {
      const failure = error as (Error & { code?: unknown; signal?: NodeJS.Signals | null }) | null;
      resolve({
        code: failure === null ? 0 : typeof failure.code === 'number' ? failure.code : null,
        signal: failure?.signal ?? null,
        stdout,
        stderr,
      });
    });
  });
}

const files = ['examples', 'examples/servers'].flatMap((folder) =>
  readdirSync(join(root, folder))
    .filter((name) => name.endsWith('.ts'))
    .map((name) => `${folder}/${name}`),
);
const runs = new Map<string, Run>();

beforeAll(async () => {
  const results = await Promise.all(files.map(run));
  files.forEach((file, index) => runs.set(file, results[index]!));
}, 60_000);

describe('examples', () => {
  it('has expected output for every example file', () => {
    expect([...files].sort()).toEqual(Object.keys(expected).sort());
  });

  describe.each(Object.keys(expected))('%s', (file) => {
    it('exits by itself with code 0 and writes nothing to stderr', () => {
      const result = runs.get(file);
      expect(result).toMatchObject({ code: 0, signal: null, stderr: '' });
    });

    it('prints what it shows', () => {
      const { stdout } = runs.get(file)!;
      const lines = stdout.split('\n');
      for (const line of expected[file]!) {
        if (typeof line === 'string') expect(lines).toContain(line);
        else expect(stdout).toMatch(line);
      }
    });
  });
});
