// W9 and W10: rx-jsonrpc's serve() with its defaults (heartbeat included, as a deployment
// keeps it), its one `echo` method given as an object (one table for the server, none per
// connection), broadcasting with notifyAll().
import { loadLibrary } from '../library';
import { serving } from './child';
import { answerMany } from './many';

const { serve } = loadLibrary();

void serve({ port: 0, host: '127.0.0.1' }, { echo: (params: unknown) => params }).then((server) => {
  answerMany({
    count: () => server.peers.size,
    broadcast: (seq, sentAt) => server.notifyAll('tick', { seq, sentAt }),
  });
  serving(Number(new URL(server.url!).port));
});
