// W7: rpc-websockets' Server, as its README sets one up, with `echo` registered.
import { Server } from 'rpc-websockets';
import { portOf, serving } from './child';

const server = new Server({ host: '127.0.0.1', port: 0 });
server.register('echo', (params) => params);
server.on('listening', () => serving(portOf(server.wss.address())));
