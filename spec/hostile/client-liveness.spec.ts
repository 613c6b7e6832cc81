import { createServer, type Server, type Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import { serve, type JsonRpcServer } from 'rx-jsonrpc/node';
import { expectHealthy, startTarget, stopTargets, type Target } from './harness/target';

// Liveness of an attacked client (in a child process): a server that accepts TCP and never
// answers the WebSocket handshake, and one that accepts and drops every link at once.
afterAll(stopTargets);

type Outcome = { ok: boolean; name?: string; message?: string };

describe('a client against servers that stall or flap', () => {
  let target: Target;
  let good: JsonRpcServer;
  beforeAll(async () => {
    target = await startTarget('client-peer');
    good = await serve({ port: 0, heartbeat: false }, (peer) => peer.handle('ping', () => 'pong'));
  }, 30_000);
  afterAll(() => good.close());

  /** The child's fresh peer to a well-behaved server answers a ping. */
  const freshCall = (name: string) => async () => {
    await target.ask('open', { name, transport: 'webSocket', url: good.url });
    const outcome = await target.ask<Outcome>('request', { name, method: 'ping' });
    expect(outcome).toEqual({ ok: true, value: 'pong' });
  };

  it('gives up a handshake that is never answered at connectTimeout, and tries again', async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => {
      sockets.add(socket);
      socket.resume();
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const url = `ws://127.0.0.1:${(silent.address() as { port: number }).port}`;
    try {
      await target.ask('open', {
        name: 'stalled',
        transport: 'webSocket',
        url,
        peer: { connectTimeout: 300, reconnect: true, timeout: 1_500 },
      });
      const outcome = await target.ask<Outcome>('request', { name: 'stalled', method: 'ping' }, 5_000);
      expect(outcome).toMatchObject({ ok: false, name: 'RequestTimeoutError' });
      // Not one socket held for ever: each attempt was given up and another made.
      expect(sockets.size).toBeGreaterThanOrEqual(2);
      expect(await target.ask<string[]>('states', 'stalled')).toContain('reconnecting');
      await target.ask('close', 'stalled');
      await expectHealthy(target, freshCall('after-stall'));
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  }, 20_000);

  it('backs off more and more from a server that accepts and drops every link at once', async () => {
    const flapping = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => flapping.once('listening', resolve));
    let accepted = 0;
    flapping.on('connection', (socket) => {
      accepted++;
      socket.close(1000, 'bye');
    });
    const url = `ws://127.0.0.1:${(flapping.address() as { port: number }).port}`;
    try {
      await target.ask('open', { name: 'flapping', transport: 'webSocket', url, peer: { reconnect: true } });
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      // With the default backoff (250 ms, doubling): about 5 links in 4 s, not 4 a second.
      expect(accepted).toBeGreaterThanOrEqual(3);
      expect(accepted).toBeLessThanOrEqual(8);
      await target.ask('close', 'flapping');
      await expectHealthy(target, freshCall('after-flapping'));
    } finally {
      await new Promise((resolve) => flapping.close(resolve));
    }
  }, 20_000);
});
