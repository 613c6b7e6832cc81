// W7: rx-jsonrpc's serve() with its defaults, answering `echo` over WebSocket and HTTP POST
// on one port (the rows "serve() over WebSocket" and "serve() over HTTP" use one process each).
// Its methods are given as an object, registered once for the server, as the other servers
// here register theirs: a lone POST is then answered without a peer.
import { loadLibrary } from '../library';
import { serving } from './child';

const { serve } = loadLibrary();

void serve({ port: 0, host: '127.0.0.1' }, { echo: (params: unknown) => params }).then((server) =>
  serving(Number(new URL(server.url!).port)),
);
