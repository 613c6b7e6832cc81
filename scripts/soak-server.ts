// The soak test's server, in its own process: answers `echo`, and pushes `tick`
// notifications when asked. Prints its port on stdout.
import { serve } from 'rx-jsonrpc/node';

void serve({ port: 0, heartbeat: false, peer: { handlerTimeout: 0 } }, (peer) => {
  peer.handle('echo', (params: unknown) => params);
  // Pushes `count` ticks numbered from `from`, then answers: the answer follows the ticks on
  // the socket, so the client paces the push by rounds and the send buffer stays small.
  peer.handle('push', ([from, count]: [number, number]) => {
    for (let n = from; n < from + count; n++) peer.notify('tick', [n]);
    return count;
  });
}).then((server) => console.log(server.url));
