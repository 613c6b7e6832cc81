import { once } from 'node:events';
import { PassThrough, Writable } from 'node:stream';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filter, firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import {
  connect,
  ConnectionClosedError,
  ProtocolError,
  reconnecting,
  TransportError,
  type Peer,
  type PeerState,
} from 'rx-jsonrpc';
import { contentLength, spawnProcess, stream, tcp } from 'rx-jsonrpc/node';

const tsx = join(__dirname, '../../node_modules/.bin/tsx');
const fixture = join(__dirname, '../fixtures/stdio-server.ts');
const peers: Peer[] = [];
const servers: Server[] = [];

afterEach(async () => {
  for (const peer of peers.splice(0)) peer.close();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

function track<T extends Peer>(peer: T): T {
  peers.push(peer);
  return peer;
}

const finalState = async (peer: Peer) =>
  (await lastValueFrom(peer.state$.pipe(toArray()))).at(-1) as Extract<PeerState, { status: 'closed' }>;

describe.each(['content-length', 'newline'] as const)('spawnProcess with %s framing', (framing) => {
  it('talks to a real child process both ways over its stdio', async () => {
    const stderr: string[] = [];
    const peer = track(
      connect(spawnProcess(tsx, [fixture, framing], { framing, stderr: (chunk) => stderr.push(String(chunk)) })),
    );
    peer.handle('client.name', () => 'the test');
    const ready = firstValueFrom(peer.notifications$<{ pid: number }>('server.ready'));
    expect((await ready).pid).toBeGreaterThan(0);
    await expect(peer.request('math.sum', [2, 3])).resolves.toBe(5);
    await expect(peer.request('echo', { text: 'héllo 😀\nsecond line' })).resolves.toEqual({
      text: 'héllo 😀\nsecond line',
    });
    await expect(peer.request('whoami')).resolves.toBe('you are the test');
    const many = await Promise.all(Array.from({ length: 200 }, (_, i) => peer.request('math.sum', [i, i])));
    expect(many).toEqual(Array.from({ length: 200 }, (_, i) => 2 * i));
    expect(stderr.join('')).toContain(`stdio server up (${framing})`);
  }, 20_000);
});

describe('spawnProcess', () => {
  it('closes the link with the exit code when the process exits', async () => {
    const peer = track(connect(spawnProcess(tsx, [fixture, 'newline'], { framing: 'newline', stderr: 'ignore' })));
    const state = finalState(peer);
    await expect(peer.request('exit', [3])).resolves.toBe('bye');
    const closed = await state;
    expect(closed.error).toBeInstanceOf(ConnectionClosedError);
    expect(closed.error!.message).toMatch(/ exited with code 3$/);
  }, 20_000);

  it('starts the process again when reconnecting', async () => {
    const peer = track(
      connect(spawnProcess(tsx, [fixture, 'newline'], { framing: 'newline', stderr: 'ignore' }), {
        reconnect: reconnecting({ delay: () => [0] }),
      }),
    );
    const pids: number[] = [];
    peer.notifications$<{ pid: number }>('server.ready').subscribe(({ pid }) => pids.push(pid));
    await firstValueFrom(peer.notifications$('server.ready'));
    await peer.request('exit', [0]);
    await firstValueFrom(peer.notifications$('server.ready'));
    await expect(peer.request('math.sum', [1, 1])).resolves.toBe(2);
    expect(new Set(pids).size).toBe(2);
  }, 20_000);

  it('fails with a TransportError, not retryable, when the command does not exist', async () => {
    const peer = track(connect(spawnProcess('rx-jsonrpc-no-such-command'), { reconnect: reconnecting() }));
    const closed = await finalState(peer);
    expect(closed.error).toBeInstanceOf(TransportError);
    expect(closed.error).toMatchObject({
      retryable: false,
      message: 'Could not run rx-jsonrpc-no-such-command: spawn rx-jsonrpc-no-such-command ENOENT',
    });
  });

  it('terminates the process when the peer closes', async () => {
    const peer = connect(spawnProcess(tsx, [fixture, 'newline'], { framing: 'newline', stderr: 'ignore' }));
    const { pid } = await firstValueFrom(peer.notifications$<{ pid: number }>('server.ready'));
    peer.close();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(() => process.kill(pid, 0)).toThrow();
  }, 20_000);
});

describe('tcp and stream over a socket', () => {
  async function socketServer(framing: 'newline' | 'content-length') {
    const server = createServer((socket) => {
      const peer = connect(stream({ readable: socket, writable: socket, framing, name: 'client socket' }));
      peer.handle('math.sum', ([a, b]: number[]) => a! + b!);
      peer.handle('hang up', () => void setTimeout(() => socket.destroy(), 5));
      socket.once('close', () => peer.close());
    });
    servers.push(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return (server.address() as { port: number }).port;
  }

  it('calls a server on a TCP socket', async () => {
    const port = await socketServer('newline');
    const peer = track(connect(tcp({ host: '127.0.0.1', port, framing: 'newline' })));
    await expect(peer.request('math.sum', [4, 5])).resolves.toBe(9);
    const open = await firstValueFrom(peer.state$.pipe(filter((s) => s.status === 'open')));
    expect(open).toEqual({ status: 'open', info: { transport: 'tcp', url: `tcp://127.0.0.1:${port}` } });
  });

  it('closes the link when the server hangs up, and reconnects when asked', async () => {
    const port = await socketServer('content-length');
    const peer = track(connect(tcp({ host: '127.0.0.1', port }), { reconnect: reconnecting({ delay: () => [0] }) }));
    await peer.request('hang up');
    const dropped = await firstValueFrom(peer.state$.pipe(filter((s) => s.status === 'reconnecting')));
    expect(dropped).toMatchObject({ status: 'reconnecting', error: { name: 'ConnectionClosedError' } });
    await expect(peer.request('math.sum', [1, 2])).resolves.toBe(3);
  });

  it('calls a server on a Unix domain socket', async () => {
    const path = join(tmpdir(), `rx-jsonrpc-${process.pid}-${Date.now()}.sock`);
    const server = createServer((socket) => {
      const peer = connect(stream({ readable: socket, writable: socket }));
      peer.handle('where', () => 'unix');
      socket.once('close', () => peer.close());
    });
    servers.push(server);
    server.listen(path);
    await once(server, 'listening');
    const peer = track(connect(tcp({ path })));
    await expect(peer.request('where')).resolves.toBe('unix');
  });

  it('fails with TransportError when nothing listens', async () => {
    const port = await socketServer('newline');
    await new Promise((resolve) => servers.pop()!.close(resolve));
    const peer = track(connect(tcp({ host: '127.0.0.1', port, framing: 'newline' })));
    const error = await peer.request('x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as Error).message).toMatch(
      new RegExp(`Could not connect to tcp://127.0.0.1:${port}: connect ECONNREFUSED`),
    );
  });

  it('reports bytes the framing cannot read, and keeps the link', async () => {
    const server = createServer((socket) => {
      socket.write('Content-Lenth: 2\r\n\r\n{}');
      socket.write('Content-Length: 36\r\n\r\n{"jsonrpc":"2.0","method":"hello"}\r\n');
    });
    servers.push(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const peer = track(connect(tcp({ host: '127.0.0.1', port: (server.address() as { port: number }).port })));
    const reported = firstValueFrom(peer.errors$);
    const hello = firstValueFrom(peer.notifications$('hello'));
    expect(await reported).toMatchObject({
      name: 'ProtocolError',
      message: 'Bad header: no Content-Length in "Content-Lenth: 2"',
    });
    await expect(hello).resolves.toBeUndefined();
  });

  /** A server that writes `bytes` to each connection, the first `hostile` times, then serves math.sum. */
  async function hostileServer(bytes: string, hostile = Infinity) {
    let accepted = 0;
    const server = createServer((socket) => {
      socket.on('error', () => undefined);
      if (accepted++ < hostile) return void socket.write(bytes);
      const peer = connect(stream({ readable: socket, writable: socket }));
      peer.handle('math.sum', ([a, b]: number[]) => a! + b!);
      socket.once('close', () => peer.close());
    });
    servers.push(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return (server.address() as { port: number }).port;
  }

  it('ends the link with 1009 on a frame over maxFrameSize, and reconnects', async () => {
    const port = await hostileServer('Content-Length: 99999999999999999999\r\n\r\n', 1);
    const peer = track(connect(tcp({ host: '127.0.0.1', port }), { reconnect: reconnecting({ delay: () => [0] }) }));
    const dropped = await firstValueFrom(peer.state$.pipe(filter((s) => s.status === 'reconnecting')));
    const reason = 'Frame of 99999999999999999999 bytes refused: larger than maxFrameSize (67108864)';
    expect(dropped.error).toBeInstanceOf(ConnectionClosedError);
    expect(dropped.error).toMatchObject({ code: 1009, reason, message: `tcp://127.0.0.1:${port}: ${reason}` });
    await expect(peer.request('math.sum', [2, 2])).resolves.toBe(4);
  });

  it('ends the link with 1002 on a bad header when told to close', async () => {
    const port = await hostileServer('\r\n\r\n');
    const peer = track(connect(tcp({ host: '127.0.0.1', port, framing: contentLength({ onBadHeader: 'close' }) })));
    const closed = await finalState(peer);
    expect(closed.error).toMatchObject({
      name: 'ConnectionClosedError',
      code: 1002,
      reason: 'Bad header: no Content-Length in ""',
    });
  });

  it('fails calls at once past highWaterMark while the other side does not read', async () => {
    const sockets: Socket[] = [];
    const server = createServer((socket) => void sockets.push(socket.pause()));
    servers.push(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as { port: number }).port;
    const peer = track(connect(tcp({ host: '127.0.0.1', port, highWaterMark: 65_536 }), { timeout: 500 }));
    const big = 'x'.repeat(1_048_576);
    const outcomes = await Promise.all(
      Array.from({ length: 24 }, () => peer.request('echo', [big]).catch((error: unknown) => error)),
    );
    const refused = outcomes.find((outcome) => outcome instanceof TransportError) as TransportError;
    expect(refused.retryable).toBe(true);
    expect(refused.message).toMatch(
      new RegExp(
        `^Request \\d+ \\(echo\\) failed: Send buffer full: \\d+ bytes wait to go to tcp://127.0.0.1:${port} \\(highWaterMark 65536\\)$`,
      ),
    );
    // A socket that does not read never sees the other side end.
    for (const socket of sockets) socket.destroy();
  }, 20_000);
});

describe('stream', () => {
  it('refuses a frame while more than highWaterMark bytes wait in the writable, and sends again once they drain', async () => {
    const held: (() => void)[] = [];
    const writable = new Writable({ write: (_chunk, _encoding, done) => void held.push(done) });
    const peer = connect(stream({ readable: new PassThrough(), writable, name: 'slow pipe', highWaterMark: 10 }));
    peer.notify('first', ['fills the buffer']);
    const error = await peer.request('second').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({
      retryable: true,
      message: `Request 1 (second) failed: Send buffer full: ${writable.writableLength} bytes wait to go to slow pipe (highWaterMark 10)`,
    });
    held.splice(0).forEach((done) => done());
    await new Promise((resolve) => setImmediate(resolve));
    expect(writable.writableLength).toBe(0);
    peer.notify('third');
    expect(writable.writableLength).toBeGreaterThan(0);
    peer.close();
  });

  it('ends the link with the framing error when the framing says it is fatal, with 1002 by default', async () => {
    const readable = new PassThrough();
    const framing = {
      name: 'strict',
      encode: (frame: string) => frame,
      decoder: (sink: { error(error: Error, fatal: boolean): void }) => ({
        push: () => sink.error(new ProtocolError('No'), true),
      }),
    };
    const peer = connect(stream({ readable, writable: new PassThrough(), framing }));
    const closed = finalState(peer);
    readable.write('x');
    expect((await closed).error).toMatchObject({ name: 'ConnectionClosedError', code: 1002, message: 'stream: No' });
  });
});
