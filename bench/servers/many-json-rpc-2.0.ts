// W9 and W10: json-rpc-2.0 on a `ws` server, as its README pairs it with a WebSocket: one
// JSONRPCServerAndClient per connection (the JSONRPCServer and its `echo` shared by all),
// and a broadcast as a notify() on each connection's, the way its API sends one.
import { JSONRPCClient, JSONRPCServer, JSONRPCServerAndClient, type JSONRPCRequest } from 'json-rpc-2.0';
import { WebSocketServer } from 'ws';
import { portOf, serving } from './child';
import { answerMany } from './many';

const rpc = new JSONRPCServer();
rpc.addMethod('echo', (params) => params);
const peers = new Set<JSONRPCServerAndClient>();

const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
server.on('connection', (socket) => {
  const peer = new JSONRPCServerAndClient(
    rpc,
    new JSONRPCClient((request: JSONRPCRequest) => {
      try {
        socket.send(JSON.stringify(request));
        return Promise.resolve();
      } catch (error) {
        return Promise.reject(error as Error);
      }
    }),
  );
  peers.add(peer);
  socket.on('message', (data) => {
    void peer.receiveAndSend(JSON.parse(data as unknown as string)).catch(() => undefined);
  });
  socket.on('close', () => {
    peers.delete(peer);
    peer.rejectAllPendingRequests('closed');
  });
});
answerMany({
  count: () => peers.size,
  broadcast: (seq, sentAt) => {
    for (const peer of peers) peer.notify('tick', { seq, sentAt });
  },
});
server.on('listening', () => serving(portOf(server.address())));
