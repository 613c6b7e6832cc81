// The browser entry's webSocket() used on a Node without a global WebSocket (Node 20; Node 22
// run with --no-experimental-websocket), as an editor's auto-import writes it: the call itself
// says what to do, not only state$. Run in a child process, where WebSocket is really absent.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const root = join(__dirname, '../..');

/** Calls through the browser entry's webSocket() and prints how the call failed and the last state. */
const app = (peerOptions: string) => `
import { connect, reconnecting, webSocket, type PeerState } from 'rx-jsonrpc';

const rpc = connect(webSocket('ws://127.0.0.1:9'), ${peerOptions});
let last: PeerState | undefined;
rpc.state$.subscribe((state) => (last = state));
rpc.request('math.sum', [1, 2]).then(
  () => console.log(JSON.stringify({ answered: true })),
  (error: Error & { cause?: Error; retryable?: boolean }) =>
    console.log(
      JSON.stringify({
        global: typeof globalThis.WebSocket,
        name: error.name,
        message: error.message,
        retryable: error.retryable,
        cause: { name: error.cause?.name, message: error.cause?.message },
        state: last?.status === 'closed' ? last.error?.message : last?.status,
      }),
    ),
);
`;

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rx-jsonrpc-no-ws-'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(peerOptions: string): Promise<Record<string, unknown>> {
  const file = join(dir, `app-${Math.random().toString(36).slice(2)}.ts`);
  writeFileSync(file, app(peerOptions));
  // tsx reads the repository's tsconfig.json (cwd), whose paths map 'rx-jsonrpc' to lib/.
  const args = ['--no-experimental-websocket', '--import', 'tsx', file];
  const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: root });
  return JSON.parse(stdout) as Record<string, unknown>;
}

const advice =
  "No global WebSocket (Node < 22): import { webSocket } from 'rx-jsonrpc/node', or pass options.WebSocket";

describe("webSocket() of 'rx-jsonrpc' on a Node without a global WebSocket", () => {
  it.each([
    ['without reconnect', '{}'],
    ['with reconnect', '{ reconnect: reconnecting() }'],
  ])(
    "fails the call %s with the reason, saying to import webSocket from 'rx-jsonrpc/node'",
    async (_, options) => {
      expect(await run(options)).toEqual({
        global: 'undefined',
        name: 'ConnectionClosedError',
        message: `Request (math.sum) not sent: the peer is closed: ${advice}`,
        retryable: false,
        cause: { name: 'TransportError', message: advice },
        state: advice,
      });
    },
    30_000,
  );
});
