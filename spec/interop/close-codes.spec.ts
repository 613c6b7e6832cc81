// Close codes of the stream transports against real sockets and real processes: a clean,
// expected end is 1000; a reset, a kill or a failing status is 1006, saying what happened.
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { filter, firstValueFrom } from 'rxjs';
import { connect, ConnectionClosedError, reconnecting, type PeerState } from 'rx-jsonrpc';
import { spawnProcess, stream, tcp } from 'rx-jsonrpc/node';
import { closeTracked, failureOf, finalState, track } from '../helpers/peer-ends';

const servers: Server[] = [];

afterEach(async () => {
  closeTracked();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

interface Request {
  readonly id: number;
  readonly method: string;
  readonly params?: unknown[];
}

const reply = (socket: Socket, id: number, result: unknown) =>
  socket.write(`${JSON.stringify({ jsonrpc: '2.0', id, result })}\n`);

/** A newline-framed server on 127.0.0.1 port 0 handing each request and its socket to `onRequest`. */
async function lineServer(onRequest: (request: Request, socket: Socket) => void): Promise<number> {
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    let buffered = '';
    socket.on('data', (chunk) => {
      const lines = (buffered + String(chunk)).split('\n');
      buffered = lines.pop()!;
      for (const line of lines) onRequest(JSON.parse(line) as Request, socket);
    });
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as { port: number }).port;
}

describe('tcp', () => {
  it('closes with 1000 when the server ends the socket cleanly, and reconnects', async () => {
    const port = await lineServer((request, socket) => {
      reply(socket, request.id, request.method === 'bye' ? 'bye' : 42);
      if (request.method === 'bye') socket.end();
    });
    const peer = track(
      connect(tcp({ host: '127.0.0.1', port, framing: 'newline' }), { reconnect: reconnecting({ delay: () => [0] }) }),
    );
    const dropped = firstValueFrom(peer.state$.pipe(filter((state) => state.status === 'reconnecting')));
    await expect(peer.request('bye')).resolves.toBe('bye');
    const { error } = (await dropped) as Extract<PeerState, { status: 'reconnecting' }>;
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect(error).toMatchObject({ code: 1000, reason: 'stream ended', message: `tcp://127.0.0.1:${port} ended` });
    await expect(peer.request('answer')).resolves.toBe(42);
  });

  it('closes with 1006 and the socket error when the server resets the socket in the middle of a call', async () => {
    const port = await lineServer((_request, socket) => socket.resetAndDestroy());
    const peer = track(connect(tcp({ host: '127.0.0.1', port, framing: 'newline' })));
    const closed = finalState(peer);
    const error = await failureOf(peer.request('slow'));
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect(error).toMatchObject({
      code: 1006,
      reason: 'read ECONNRESET',
      message: 'Request 1 (slow) failed: connection closed (1006: read ECONNRESET)',
    });
    expect((await closed).error).toMatchObject({
      name: 'ConnectionClosedError',
      code: 1006,
      reason: 'read ECONNRESET',
      cause: { code: 'ECONNRESET' },
    });
  });
});

describe('spawnProcess', () => {
  // A newline-framed server: `pid` answers its pid, `exit` answers and exits with the status
  // given, `crash` exits with it without answering, anything else never answers.
  const server = `
    require('node:readline').createInterface({ input: process.stdin }).on('line', (line) => {
      const { id, method, params } = JSON.parse(line);
      const answer = (result, then) => process.stdout.write(JSON.stringify({ jsonrpc: '2.0', id, result }) + '\\n', then);
      if (method === 'pid') answer(process.pid);
      if (method === 'exit') answer('bye', () => process.exit(params[0]));
      if (method === 'crash') process.exit(params[0]);
    });`;
  const child = () =>
    track(connect(spawnProcess(process.execPath, ['-e', server], { framing: 'newline', stderr: 'ignore' })));

  it('closes with 1000 when the process exits with status 0 after a request', async () => {
    const peer = child();
    const closed = finalState(peer);
    await expect(peer.request('exit', [0])).resolves.toBe('bye');
    const { error } = await closed;
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect(error).toMatchObject({ code: 1000, reason: 'exited with code 0' });
  });

  it('closes with 1006 when the process exits with status 3, failing the call in flight', async () => {
    const peer = child();
    const closed = finalState(peer);
    const error = await failureOf(peer.request('crash', [3]));
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect(error).toMatchObject({
      code: 1006,
      reason: 'exited with code 3',
      message: 'Request 1 (crash) failed: connection closed (1006: exited with code 3)',
    });
    expect((await closed).error).toMatchObject({ code: 1006, reason: 'exited with code 3' });
  });

  it('closes with 1006 naming the signal when the process is killed with SIGKILL', async () => {
    const peer = child();
    const pid = await peer.request<number>('pid');
    const closed = finalState(peer);
    const call = failureOf(peer.request('hang'));
    process.kill(pid, 'SIGKILL');
    expect(await call).toMatchObject({
      name: 'ConnectionClosedError',
      code: 1006,
      message: 'Request 2 (hang) failed: connection closed (1006: killed by SIGKILL)',
    });
    expect((await closed).error).toMatchObject({ code: 1006, reason: 'killed by SIGKILL' });
  });
});

describe('stream', () => {
  it('closes with 1000 when the readable ends', async () => {
    const readable = new PassThrough();
    const peer = track(connect(stream({ readable, writable: new PassThrough(), name: 'pipe' })));
    const closed = finalState(peer);
    readable.end();
    expect((await closed).error).toMatchObject({ name: 'ConnectionClosedError', code: 1000, reason: 'stream ended' });
  });

  it('closes with 1006 and the error when a stream fails', async () => {
    const readable = new PassThrough();
    const peer = track(connect(stream({ readable, writable: new PassThrough(), name: 'pipe' })));
    const closed = finalState(peer);
    const cause = Object.assign(new Error('the disk is gone'), { code: 'EIO' });
    readable.destroy(cause);
    const { error } = await closed;
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect(error).toMatchObject({
      code: 1006,
      reason: 'EIO: the disk is gone',
      message: 'pipe failed: the disk is gone',
      cause,
    });
  });
});
