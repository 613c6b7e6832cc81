// W7: rx-jsonrpc's serve() with a setup function, which registers `echo` on each peer: over
// HTTP each POST gets a peer of its own (what a server whose handlers differ per client pays).
import { loadLibrary } from '../library';
import { serving } from './child';

const { serve } = loadLibrary();

void serve({ port: 0, host: '127.0.0.1' }, (peer) => {
  peer.handle('echo', (params) => params);
}).then((server) => serving(Number(new URL(server.url!).port)));
