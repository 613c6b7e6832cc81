// Server-side rendering with zone.js, in a process of its own as an Angular SSR server runs
// (zone.js/node patches Node's own modules, which Jest shares between the spec files of a worker).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { backend, type Backend } from './ssr-app';

interface Rendered {
  readonly text: string;
  readonly ms: number;
}

/** Runs ssr-zone-server.ts against `servers`: what it printed, once it has exited by itself (or after 20 s). */
function renderInChild(servers: readonly Backend[]): Promise<{ code: number | null; out: string; err: string }> {
  const urls = servers.flatMap((server) => [server.wsUrl, server.httpUrl]);
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'ssr-zone-server.ts'), ...urls], {
    cwd: join(__dirname, '../..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return new Promise((resolve) => {
    const stop = setTimeout(() => child.kill(), 20_000);
    child.on('exit', (code) => {
      clearTimeout(stop);
      resolve({ code, out, err });
    });
  });
}

describe('provideJsonRpc during server-side rendering, with zone.js', () => {
  let servers: Backend[];
  let results: Record<'offline' | 'connect' | 'resource' | 'viaHttp' | 'field', Rendered>;
  let exit: number | null;

  beforeAll(async () => {
    servers = await Promise.all([backend(), backend(), backend(), backend(), backend()]);
    const { code, out, err } = await renderInChild(servers);
    exit = code;
    try {
      // The last line: Angular's development mode says so on stdout at each render.
      results = JSON.parse(out.trim().split('\n').at(-1)!) as typeof results;
    } catch {
      throw new Error(`the rendering process printed no results (exit ${code}):\n${out}\n${err}`);
    }
  }, 30_000);

  afterAll(() => Promise.all(servers.map((server) => server.close())));

  it('renders every page, then its process exits by itself: no socket, no timer left', () => {
    expect(exit).toBe(0);
  });

  it("by default ('offline'), opens no connection, and each call fails at once saying why", () => {
    const [offline] = servers;
    expect(results.offline.text).toBe(
      'state: closed sum: ConnectionClosedError: Request (math.sum) not sent: the peer is closed: no link during ' +
        "server-side rendering: connection 'default' connects in the browser only (provideJsonRpc's ssr option, " +
        "'offline' by default, can make it call during the render)",
    );
    expect(offline!.reached).toEqual({ sockets: 0, requests: [] });
  });

  it("with ssr: 'connect', makes the call during the render, and closes the link with it", () => {
    const [, connect] = servers;
    expect(results.connect.text).toBe('state: open sum: 42');
    expect(connect!.reached.requests).toEqual(['GET /rpc']);
    expect(connect!.rpc.peers.size).toBe(0);
  });

  it("with ssr: 'connect', waits for a resource", () => {
    expect(results.resource.text).toBe('sum: 42');
  });

  it("with ssr: 'connect', delivers the answer in Angular's zone: the render waits for the work it starts there", () => {
    expect(results.field.text).toBe('sum: 42');
  });

  it('with ssr: { transport }, calls over that transport instead', () => {
    const [, , , viaHttp] = servers;
    expect(results.viaHttp.text).toBe('state: open sum: 42');
    expect(viaHttp!.reached.requests).toEqual(['POST /rpc']);
  });
});
