import { createServer } from 'node:net';
import { connect, type Peer } from 'rx-jsonrpc';
import { contentLength, newline, stream } from 'rx-jsonrpc/node';
import { hostileChild } from '../harness/child';

// A stream() server under attack: it listens on 127.0.0.1 port 0 and serves each accepted
// socket as its owner would: a peer over stream(), the socket destroyed when the peer
// closes. argv[2] is JSON: { framing: 'content-length' | 'newline', options?: the framing's
// options, highWaterMark?: number }. Handlers: ping, and echo.
interface Config {
  readonly framing?: 'content-length' | 'newline';
  readonly options?: Record<string, unknown>;
  readonly highWaterMark?: number;
}

const keep = 20;

function main(): void {
  const config = JSON.parse(process.argv[2] ?? '{}') as Config;
  const framing = config.framing === 'newline' ? newline(config.options) : contentLength(config.options);
  // The last problems and closes seen, for the parent to assert on (bounded, oldest dropped).
  const problems: string[] = [];
  const closes: { name: string; message: string; code?: number; reason?: string }[] = [];
  const note = <T>(list: T[], item: T) => list.push(item) > keep && list.shift();
  let latest: Peer | undefined;

  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    const peer = connect(
      stream({ readable: socket, writable: socket, framing, name: 'attacker', highWaterMark: config.highWaterMark }),
    );
    latest = peer;
    peer.handle('ping', () => 'pong');
    peer.handle('echo', (params) => params);
    peer.errors$.subscribe((error) => note(problems, error.message));
    peer.state$.subscribe((state) => {
      if (state.status !== 'closed') return;
      const error = state.error as { name: string; message: string; code?: number; reason?: string } | undefined;
      if (error !== undefined)
        note(closes, { name: error.name, message: error.message, code: error.code, reason: error.reason });
      socket.destroy();
    });
    socket.once('close', () => peer.close());
  });
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as { port: number };
    hostileChild(
      { port },
      {
        problems: () => ({ problems: problems.splice(0), closes: closes.splice(0) }),
        // Writes `count` notifications of `size` characters to the latest connection, then calls it once.
        flood: async (argument) => {
          const { count, size } = argument as { count: number; size: number };
          const peer = latest!;
          const payload = 'x'.repeat(size);
          for (let i = 0; i < count; i++) {
            peer.notify('flood', [payload]);
            // One frame per turn of the event loop: the flood itself must not be the stall measured.
            await new Promise((resolve) => setImmediate(resolve));
          }
          const call = await peer.request('anything', undefined, { timeout: 1_000 }).then(
            () => undefined,
            (error: Error) => ({ name: error.name, message: error.message }),
          );
          return { call };
        },
      },
    );
  });
}

main();
