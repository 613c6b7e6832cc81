import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { connect, ConnectionClosedError, TransportError, type PeerState } from 'rx-jsonrpc';
import { ipc } from 'rx-jsonrpc/node';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill();
});

function forkChild(): ChildProcess {
  const child = fork(join(__dirname, '../fixtures/ipc-child.ts'), [], {
    execPath: join(__dirname, '../../node_modules/.bin/tsx'),
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  children.push(child);
  return child;
}

describe('ipc', () => {
  it('talks to a forked child both ways over its IPC channel', async () => {
    const child = forkChild();
    const peer = connect(ipc(child));
    peer.handle('name', () => 'the test');
    const ready = await firstValueFrom(peer.notifications$<{ pid: number }>('child.ready'));
    expect(ready.pid).toBeGreaterThan(0);
    await expect(peer.request('math.sum', [2, 40])).resolves.toBe(42);
    await expect(peer.request('ask')).resolves.toBe('parent is the test');
    const states = lastValueFrom(peer.state$.pipe(toArray()));
    await peer.request('leave');
    const last = (await states).at(-1) as Extract<PeerState, { status: 'closed' }>;
    expect(last.error).toBeInstanceOf(ConnectionClosedError);
    expect(last.error!.message).toBe('IPC channel disconnected');
  }, 20_000);

  it('refuses frames past highWaterMark while the other process does not read', async () => {
    const child = forkChild();
    const peer = connect(ipc(child, { highWaterMark: 4_000_000 }));
    await firstValueFrom(peer.notifications$('child.ready'));
    const reported: Error[] = [];
    peer.errors$.subscribe((error) => reported.push(error));
    await peer.request('freeze', [1_500]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const big = 'x'.repeat(1_000_000);
    for (let i = 0; i < 20; i++) peer.notify('log', [big]);
    expect(reported.length).toBeGreaterThan(0);
    expect(reported[0]).toBeInstanceOf(TransportError);
    expect(reported[0]!.message).toMatch(
      /^Send buffer full: \d+ characters wait to go to the IPC channel \(highWaterMark 4000000\)$/,
    );
    // Calls fail at once while the buffer is full, and go through once the child reads again.
    await expect(peer.request('math.sum', [1, 2])).rejects.toThrow(/Send buffer full/);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await expect(peer.request('math.sum', [1, 2], { timeout: 10_000 })).resolves.toBe(3);
  }, 20_000);

  it('fails with TransportError where there is no IPC channel', async () => {
    const peer = connect(ipc({ on: () => undefined, off: () => undefined }));
    const last = (await lastValueFrom(peer.state$.pipe(toArray()))).at(-1) as Extract<PeerState, { status: 'closed' }>;
    expect(last.error).toBeInstanceOf(TransportError);
    expect(last.error!.message).toBe('No IPC channel: fork() the child, or run inside a forked child');
  });
});
