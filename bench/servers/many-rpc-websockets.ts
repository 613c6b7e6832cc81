// W9 and W10: rpc-websockets' Server as its README sets one up, `echo` registered and a
// `tick` event, which it sends (encoding it per client) to the clients that subscribed.
import { Server } from 'rpc-websockets';
import { portOf, serving } from './child';
import { answerMany } from './many';

const server = new Server({ host: '127.0.0.1', port: 0 });
server.register('echo', (params) => params);
server.event('tick');
answerMany({
  count: () => server.wss.clients.size,
  broadcast: (seq, sentAt) => server.emit('tick', { seq, sentAt }),
});
server.on('listening', () => serving(portOf(server.wss.address())));
