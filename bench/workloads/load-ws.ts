import { WebSocket } from 'ws';
import { opened, closed } from '../adapters/adapter';
import { within } from './common';

/** The fixed load generator of W7 over WebSocket: hand-written JSON-RPC on one raw `ws` socket. */
export interface WsLoad {
  /** Makes `total` calls of `echo [id]`, `window` in flight, checking every answer. */
  run(total: number, window: number): Promise<void>;
  close(): Promise<void>;
}

type Answer = { readonly id?: number; readonly result?: unknown; readonly error?: unknown };

export async function wsLoad(url: string): Promise<WsLoad> {
  const socket = new WebSocket(url, { perMessageDeflate: false });
  await within(opened(socket), 10_000, `Opening ${url}`);
  // From 1: rpc-websockets takes a request with id 0 for a notification and never answers it.
  let nextId = 1;
  // The run in progress: what arrives goes to it.
  let onAnswer: (answer: Answer) => void = () => undefined;
  let onClose: () => void = () => undefined;
  socket.on('message', (data) => onAnswer(JSON.parse(data as unknown as string) as Answer));
  socket.on('close', () => onClose());
  const send = () => {
    const id = nextId++;
    socket.send(`{"jsonrpc":"2.0","id":${id},"method":"echo","params":[${id}]}`);
  };
  const run = (total: number, window: number) =>
    new Promise<void>((resolve, reject) => {
      let sent = 0;
      let answered = 0;
      onClose = () => reject(new Error(`${url} closed after ${answered} of ${total} answers`));
      onAnswer = (answer) => {
        const result = answer.result as unknown[] | undefined;
        if (!Array.isArray(result) || result[0] !== answer.id) {
          onAnswer = () => undefined;
          return reject(new Error(`${url} answered ${JSON.stringify(answer)}`));
        }
        if (++answered === total) return resolve();
        if (sent < total) {
          sent++;
          send();
        }
      };
      for (; sent < Math.min(window, total); sent++) send();
    });
  return {
    run: (total, window) => within(run(total, window), 120_000, `${total} calls to ${url}`),
    close: () => closed(socket),
  };
}
