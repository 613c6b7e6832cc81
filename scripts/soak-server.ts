// The soak test's server, in its own process: answers `echo`, and pushes `tick`
// notifications when asked. Prints its port on stdout.
import { serve } from 'rx-jsonrpc/node';

void serve({ port: 0, heartbeat: false, peer: { handlerTimeout: 0 } }, (peer) => {
  peer.handle('echo', (params: unknown) => params);
  peer.handle('push', ([count]: [number]) => {
    // Push in slices so the socket drains between them.
    let sent = 0;
    const slice = () => {
      for (let i = 0; i < 5_000 && sent < count; i++) peer.notify('tick', [++sent]);
      if (sent < count) setImmediate(slice);
    };
    slice();
    return count;
  });
}).then((server) => console.log(server.url));
