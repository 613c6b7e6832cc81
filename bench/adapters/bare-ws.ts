import { WebSocket } from 'ws';
import { opened, closed, rawSocket, RemoteError, type Adapter, type BenchClient } from './adapter';

type Response = {
  id?: number;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string };
};

/**
 * The limit: `ws` + `JSON.stringify`/`JSON.parse` + a Map of pending ids, nothing else.
 * With `cork`, the sends of one tick are coalesced into one socket write.
 */
async function openBare(url: string, cork: boolean): Promise<BenchClient> {
  const socket = new WebSocket(url, { perMessageDeflate: false });
  await opened(socket);
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  const listeners = new Map<string, (params: unknown) => void>();
  const raw = rawSocket(socket);
  let nextId = 1;
  let corked = false;
  const uncork = () => {
    corked = false;
    raw.uncork();
  };

  socket.on('message', (data) => {
    // JSON.parse reads the Buffer as UTF-8 text.
    const message = JSON.parse(data as unknown as string) as Response;
    if (message.method !== undefined) return listeners.get(message.method)?.(message.params);
    const call = pending.get(message.id!);
    if (call === undefined) return;
    pending.delete(message.id!);
    if (message.error !== undefined) call.reject(new RemoteError(message.error.code, message.error.message));
    else call.resolve(message.result);
  });
  socket.on('close', () => {
    for (const call of pending.values()) call.reject(new Error('closed'));
    pending.clear();
  });

  return {
    request: (method, params) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        if (cork && !corked) {
          corked = true;
          raw.cork();
          process.nextTick(uncork);
        }
        socket.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
      }),
    onNotification: (method, listener) => {
      listeners.set(method, listener);
      return () => listeners.delete(method);
    },
    close: () => closed(socket),
  };
}

export const bareWs: Adapter = { key: 'bare-ws', name: 'bare ws (the limit)', open: (url) => openBare(url, false) };

export const bareWsCork: Adapter = {
  key: 'bare-ws-cork',
  name: 'bare ws + cork/uncork per tick',
  open: (url) => openBare(url, true),
};
