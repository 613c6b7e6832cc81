// Some servers push JSON that is not JSON-RPC on the same socket (a music server's
// `{"event":"volume_changed",...}` beside its answers). foreign$ receives them.
import { filter, firstValueFrom, take, toArray } from 'rxjs';
import type { WebSocket } from 'ws';
import { connect, type Peer, type RpcError } from 'rx-jsonrpc';
import { webSocket } from 'rx-jsonrpc/node';
import { closeAllWs, startWsServer } from '../helpers/ws-server';

const peers: Peer[] = [];
afterEach(async () => {
  for (const peer of peers.splice(0)) peer.close();
  await closeAllWs();
});

/**
 * A music server: `mixer.setVolume` pushes a volume event (not JSON-RPC, and carrying an
 * `id` of its own) before it answers; `core.getVersion` answers as usual.
 */
async function musicServer() {
  const server = await startWsServer();
  server.server.on('connection', (socket: WebSocket) => {
    socket.on('message', (data) => {
      const { id, method, params } = JSON.parse(String(data)) as { id: number; method: string; params: [number] };
      if (method === 'mixer.setVolume') {
        socket.send(JSON.stringify({ event: 'volume_changed', volume: params[0], id: id + 1 }));
      }
      socket.send(JSON.stringify({ jsonrpc: '2.0', id, result: method === 'core.getVersion' ? '3.4.2' : true }));
    });
  });
  const peer = connect(webSocket(server.url, { heartbeat: false }), { timeout: 2_000 });
  peers.push(peer);
  const reported: RpcError[] = [];
  peer.errors$.subscribe((e) => reported.push(e));
  await firstValueFrom(peer.state$.pipe(filter((s) => s.status === 'open')));
  return { peer, reported };
}

describe('messages that are not JSON-RPC', () => {
  it('reach foreign$, parsed, and are not errors while someone listens', async () => {
    const { peer, reported } = await musicServer();
    const events = firstValueFrom(peer.foreign$.pipe(take(2), toArray()));
    await expect(peer.request('mixer.setVolume', [40])).resolves.toBe(true);
    await expect(peer.request('mixer.setVolume', [55])).resolves.toBe(true);
    expect(await events).toEqual([
      { event: 'volume_changed', volume: 40, id: 2 },
      { event: 'volume_changed', volume: 55, id: 3 },
    ]);
    expect(reported).toEqual([]);
  });

  it.each([true, false])('never settle a call, even one whose id they carry (listened to: %s)', async (listened) => {
    const { peer } = await musicServer();
    if (listened) peer.foreign$.subscribe();
    // The event of call 1 carries id 2, which the next call takes.
    const [volume, version] = await Promise.all([
      peer.request('mixer.setVolume', [10]),
      peer.request('core.getVersion'),
    ]);
    expect([volume, version]).toEqual([true, '3.4.2']);
  });

  it('leave an answer that lenient options salvage to its call, listened to or not', async () => {
    const server = await startWsServer();
    server.server.on('connection', (socket: WebSocket) =>
      socket.on('message', (data) =>
        socket.send(JSON.stringify({ id: (JSON.parse(String(data)) as { id: number }).id })),
      ),
    );
    const peer = connect(webSocket(server.url, { heartbeat: false }), {
      timeout: 2_000,
      lenient: { missingResult: true },
    });
    peers.push(peer);
    peer.foreign$.subscribe();
    await expect(peer.request('void.method')).resolves.toBeNull();
  });

  it('are reported on errors$, with where to receive them, while nobody listens', async () => {
    const { peer, reported } = await musicServer();
    await peer.request('core.getVersion');
    const subscription = peer.foreign$.subscribe();
    subscription.unsubscribe();
    await peer.request('mixer.setVolume', [70]);
    expect(reported.map((e) => e.message)).toEqual([
      expect.stringMatching(/^Invalid message: .*"volume_changed".*listen to foreign\$/),
    ]);
  });

  it('complete foreign$ when the peer closes', async () => {
    const { peer } = await musicServer();
    const all = firstValueFrom(peer.foreign$.pipe(toArray()));
    await peer.close();
    expect(await all).toEqual([]);
  });
});
