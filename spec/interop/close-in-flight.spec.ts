// A byte stream or a process has no close frame: its transport infers 1000 for a clean end.
// With calls written and still waiting, that end was not clean for this side: 1006.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { filter, firstValueFrom } from 'rxjs';
import { batchingCalls, connect, heartbeatCalls } from 'rx-jsonrpc';
import { stream, tcp, webSocket } from 'rx-jsonrpc/node';
import { closeTracked, failureOf, finalState, track } from '../helpers/peer-ends';
import { startWsServer } from '../helpers/ws-server';

afterEach(() => closeTracked());

describe('tcp to a server process killed in the middle of a call', () => {
  // A newline-framed TCP server that prints its port, then a dot once it has read a
  // request (so that the kill ends the socket with a FIN, nothing left unread), and never answers.
  const server = `
    const net = require('node:net');
    const listening = net.createServer((socket) => {
      socket.on('data', () => process.stdout.write('.'));
    }).listen(0, '127.0.0.1', () => process.stdout.write(listening.address().port + '\\n'));`;

  it('closes with 1006, not 1000: the kernel ends the socket as cleanly as a server that finished', async () => {
    const child = spawn(process.execPath, ['-e', server], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const [port] = (await once(child.stdout, 'data')) as [Buffer];
      const peer = track(connect(tcp({ host: '127.0.0.1', port: Number(String(port)), framing: 'newline' })));
      const closed = finalState(peer);
      const read = once(child.stdout, 'data');
      const call = failureOf(peer.request('hang'));
      await read;
      child.kill('SIGKILL');
      expect(await call).toMatchObject({ name: 'ConnectionClosedError', code: 1006 });
      expect((await closed).error).toMatchObject({
        code: 1006,
        reason: 'stream ended with 1 call in flight',
        cause: { code: 1000 },
      });
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('a WebSocket closed with 1000 under a call', () => {
  it('keeps 1000: a close frame is the other side’s word', async () => {
    const server = await startWsServer();
    server.server.on('connection', (socket) => socket.on('message', () => socket.close(1000, 'done')));
    const peer = track(connect(webSocket(server.url, { heartbeat: false })));
    const closed = finalState(peer);
    expect(await failureOf(peer.request('x'))).toMatchObject({ code: 1000, reason: 'done' });
    expect((await closed).error).toMatchObject({ code: 1000, inferred: false });
    await server.close();
  });
});

describe('stream', () => {
  it('closes with 1006 when the readable ends under a call, and with 1000 when only a heartbeat waits', async () => {
    const under = async (heartbeat: boolean) => {
      const readable = new PassThrough();
      const writable = new PassThrough();
      const options = heartbeat ? { heartbeat: heartbeatCalls({ interval: 5, timeout: 5_000, method: 'ping' }) } : {};
      const peer = track(connect(stream({ readable, writable, name: 'pipe' }), options));
      const closed = finalState(peer);
      const written = once(writable, 'data');
      const call = heartbeat ? undefined : failureOf(peer.request('slow'));
      await written;
      readable.end();
      await call;
      return (await closed).error;
    };
    expect(await under(false)).toMatchObject({ code: 1006, reason: 'stream ended with 1 call in flight' });
    expect(await under(true)).toMatchObject({ code: 1000, reason: 'stream ended' });
  });

  it('closes with 1000 when the only call has not been written yet (held for a batch)', async () => {
    const readable = new PassThrough();
    const peer = track(
      connect(stream({ readable, writable: new PassThrough(), name: 'pipe' }), {
        batching: batchingCalls({ window: 60_000 }),
      }),
    );
    const closed = finalState(peer);
    await firstValueFrom(peer.state$.pipe(filter((state) => state.status === 'open')));
    const call = failureOf(peer.request('held'));
    readable.end();
    expect(await call).toMatchObject({ name: 'ConnectionClosedError', code: 1000 });
    expect((await closed).error).toMatchObject({ code: 1000, reason: 'stream ended' });
  });
});
