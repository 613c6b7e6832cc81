import { serve, type ServeOptions } from 'rx-jsonrpc/node';
import { hostileChild } from '../harness/child';

// A serve() process under attack. argv[2] is JSON: the ServeOptions to use (port 0 on
// 127.0.0.1 unless given). Handlers: ping, echo, and sleep (ms) for slow calls.
async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as ServeOptions;
  const server = await serve({ port: 0, ...options }, (peer) => {
    peer.handle('ping', () => 'pong');
    peer.handle('echo', (params) => params);
    peer.handle('sleep', ([ms]: [number]) => new Promise((resolve) => setTimeout(() => resolve(ms), ms)));
  });
  hostileChild({ url: server.url }, { peers: () => server.peers.size });
}

void main();
