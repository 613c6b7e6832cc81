// W9 and W10: rx-jsonrpc's serve() with its defaults (heartbeat included, as a deployment
// keeps it), one `echo` handler registered per connection by a setup function, broadcasting
// with notifyAll().
import { loadLibrary } from '../library';
import { serving } from './child';
import { answerMany } from './many';

const { serve } = loadLibrary();

void serve({ port: 0, host: '127.0.0.1' }, (peer) => {
  peer.handle('echo', (params) => params);
}).then((server) => {
  answerMany({
    count: () => server.peers.size,
    broadcast: (seq, sentAt) => server.notifyAll('tick', { seq, sentAt }),
  });
  serving(Number(new URL(server.url!).port));
});
