import { JSONRPCClient, JSONRPCServer, type JSONRPCResponse } from 'json-rpc-2.0';
import { WebSocket } from 'ws';
import { closed, opened, text, type Adapter } from './adapter';

/** json-rpc-2.0: a `JSONRPCClient` over a `ws` socket; notifications go to a `JSONRPCServer`, as in its README. */
export const jsonRpc2: Adapter = {
  key: 'json-rpc-2.0',
  name: 'json-rpc-2.0',
  open: async (url) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    await opened(socket);
    const client = new JSONRPCClient((request) => socket.send(JSON.stringify(request)));
    const server = new JSONRPCServer();
    socket.on('message', (data) => {
      const message = JSON.parse(text(data)) as JSONRPCResponse & { method?: string };
      if (message.method !== undefined) void server.receive(message as never);
      else client.receive(message);
    });
    socket.on('close', () => client.rejectAllPendingRequests('closed'));
    return {
      request: (method, params) => Promise.resolve(client.request(method, params as never)),
      onNotification: (method, listener) => {
        server.addMethod(method, (params) => listener(params));
        return () => server.removeMethod(method);
      },
      close: () => closed(socket),
    };
  },
};
