import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { firstValueFrom } from 'rxjs';
import { connect, http, JsonRpcError, type Peer } from 'rx-jsonrpc';
import { serve, unheardPerMinute, webSocket, type JsonRpcServer, type Logger, type SetupPeer } from 'rx-jsonrpc/node';

const servers: JsonRpcServer[] = [];
const clients: Peer[] = [];
const children: ChildProcess[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(servers.splice(0).map((server) => server.close({ drain: 0 })));
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill();
});

const setup: SetupPeer = (peer) => {
  peer.handle('ping', () => 'pong');
  peer.handle('fail', () => {
    throw new Error('disk full');
  });
  peer.handle('hang', () => new Promise(() => undefined));
};

/** A logger that keeps what it is given, by level. */
function keptLog(): Logger & { readonly lines: { level: string; value: unknown }[] } {
  const lines: { level: string; value: unknown }[] = [];
  const keep = (level: string) => (value: unknown) => void lines.push({ level, value });
  return { lines, debug: keep('debug'), info: keep('info'), warn: keep('warn'), error: keep('error') };
}

async function start(options: Parameters<typeof serve>[0] = {}): Promise<JsonRpcServer> {
  const server = await serve({ port: 0, ...options }, setup);
  servers.push(server);
  return server;
}

function client(url: string, overHttp = false): Peer {
  const peer = connect(overHttp ? http(url.replace(/^ws/, 'http')) : webSocket(url), { timeout: 3_000 });
  clients.push(peer);
  return peer;
}

describe("a handler's failure on the server", () => {
  it.each([
    ['a WebSocket', false],
    ['an HTTP POST', true],
  ])('over %s reaches server.errors$ as a HandlerError naming the call, its cause kept', async (_, overHttp) => {
    const server = await start();
    const reported = firstValueFrom(server.errors$);
    const rpc = client(server.url!, overHttp);
    await expect(rpc.request('fail')).rejects.toMatchObject({ code: -32603 });
    const error = await reported;
    expect(error.name).toBe('HandlerError');
    expect(error.message).toBe('Handler of fail (request 1) failed: disk full');
    expect((error.cause as Error).message).toBe('disk full');
  });

  it('past its deadline reaches server.errors$', async () => {
    const server = await start({ peer: { handlerTimeout: 50 } });
    const reported = firstValueFrom(server.errors$);
    const rpc = client(server.url!);
    await expect(rpc.request('hang')).rejects.toBeInstanceOf(JsonRpcError);
    expect((await reported).message).toMatch(/^Handler of hang \(request 1\) timed out after 50 ms/);
  });

  it(`goes to the log when nothing subscribes to errors$: ${unheardPerMinute} a minute, with one hint`, async () => {
    const log = keptLog();
    const server = await start({ log });
    const rpc = client(server.url!);
    for (let call = 0; call < unheardPerMinute + 5; call++) await expect(rpc.request('fail')).rejects.toThrow();
    const errors = log.lines.filter((line) => line.level === 'error');
    expect(errors).toHaveLength(unheardPerMinute);
    expect(errors[0]!.value).toMatchObject({
      name: 'HandlerError',
      message: 'Handler of fail (request 1) failed: disk full',
    });
    const warnings = log.lines.filter((line) => line.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0]!.value)).toContain('nothing subscribes to server.errors$');
    // Heard now: the log gets nothing more.
    const heard: unknown[] = [];
    server.errors$.subscribe((error) => heard.push(error));
    await expect(rpc.request('fail')).rejects.toThrow();
    expect(heard).toHaveLength(1);
    expect(log.lines).toHaveLength(unheardPerMinute + 1);
  });

  it('goes nowhere with log: false, and the server still answers', async () => {
    const server = await start({ log: false });
    const rpc = client(server.url!, true);
    await expect(rpc.request('fail')).rejects.toMatchObject({ code: -32603 });
    expect(await rpc.request('ping')).toBe('pong');
  });

  it('logs an error whose message holds megabytes a client chose (its id) as one clipped line', async () => {
    const log = keptLog();
    const server = await start({ log });
    const huge = 'x'.repeat(1_000_000);
    const peer = connect(webSocket(server.url!), { timeout: 3_000, nextId: () => huge });
    clients.push(peer);
    await expect(peer.request('fail')).rejects.toMatchObject({ code: -32603 });
    const [line] = log.lines.filter((entry) => entry.level === 'error');
    expect(typeof line!.value).toBe('string');
    expect((line!.value as string).length).toBeLessThan(1_000);
    expect(line!.value).toMatch(/^HandlerError: Handler of fail \(request x+…/);
  });

  it('goes nowhere once the server has closed, not even to the log', async () => {
    const log = keptLog();
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const server = await serve({ port: 0, log }, (peer) =>
      peer.handle('late', () => {
        started();
        // It ignores its signal, as most handlers do, and fails a little later.
        return new Promise((_, reject) => setTimeout(() => reject(new Error('too late')), 50));
      }),
    );
    const heard: unknown[] = [];
    server.errors$.subscribe((error) => heard.push(error));
    void client(server.url!)
      .request('late')
      .catch(() => undefined);
    await running;
    await server.close({ drain: 0 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(heard).toEqual([]);
    expect(log.lines).toEqual([]);
  });

  it('leaves the server answering when the log itself throws', async () => {
    const throwing = () => {
      throw new Error('log down');
    };
    const server = await start({ log: { debug: throwing, info: throwing, warn: throwing, error: throwing } });
    const rpc = client(server.url!);
    await expect(rpc.request('fail')).rejects.toMatchObject({ code: -32603 });
    expect(await rpc.request('ping')).toBe('pong');
  });

  it("is printed on a real process's stderr by default, at most a few lines for many failures", async () => {
    const root = join(__dirname, '..', '..');
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'spec/fixtures/unheard-errors-server.ts')], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [line] = (await once(child.stdout!, 'data')) as [Buffer];
    const { url } = JSON.parse(line.toString()) as { url: string };
    const rpc = client(url);
    for (let call = 0; call < 3 * unheardPerMinute; call++) await expect(rpc.request('fail')).rejects.toThrow();
    expect(await rpc.request('ping')).toBe('pong');
    const printed = stderr.split('\n').filter((text) => text.includes('Handler of fail'));
    expect(printed).toHaveLength(unheardPerMinute);
    expect(stderr).toContain('HandlerError: Handler of fail (request 1) failed: disk full');
    expect(stderr).toContain('Error: disk full');
    expect(stderr.split('nothing subscribes to server.errors$')).toHaveLength(2);
  }, 30_000);
});
