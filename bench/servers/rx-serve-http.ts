// W7: rx-jsonrpc's serveHttp() listener mounted in a plain node:http server, as its docs show.
import { createServer } from 'node:http';
import { loadLibrary } from '../library';
import { portOf, serving } from './child';

const { serveHttp } = loadLibrary();

const rpc = serveHttp({}, { echo: (params: unknown) => params });
const server = createServer(rpc.listener);
server.listen(0, '127.0.0.1', () => serving(portOf(server.address())));
