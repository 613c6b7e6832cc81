import { Client } from 'rpc-websockets';
import type { Adapter } from './adapter';

/** rpc-websockets: its `Client`, which owns the socket; standard notifications arrive as events. */
export const rpcWebSockets: Adapter = {
  key: 'rpc-websockets',
  name: 'rpc-websockets',
  open: async (url) => {
    const client = new Client(url, { reconnect: false, perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      client.once('open', () => resolve());
      client.once('error', reject);
    });
    return {
      request: (method, params) => client.call(method, params as object) as Promise<unknown>,
      onNotification: (method, listener) => {
        client.on(method, listener);
        return () => client.off(method, listener);
      },
      close: () =>
        new Promise<void>((resolve) => {
          client.once('close', () => resolve());
          client.close();
        }),
    };
  },
};
