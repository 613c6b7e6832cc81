import { WebSocket } from 'ws';
import { opened } from '../adapters/adapter';
import { within } from './common';
import type { ServerProcess } from './server-process';

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits (bounded: about 20 s) until `server` counts `count` open connections. */
export async function holding(server: ServerProcess, count: number, what: string): Promise<void> {
  let last = -1;
  for (let attempt = 0; attempt < 400; attempt++) {
    last = (await server.ask<{ count: number }>({ type: 'clients' })).count;
    if (last === count) return;
    await delay(50);
  }
  throw new Error(`${what} held ${last} connections, not ${count}, after 20 s`);
}

/** Opens `total` raw `ws` sockets to 127.0.0.1:`port`, `parallel` opening at a time (each bounded: 10 s). */
export async function openSockets(port: number, total: number, parallel = 50): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  let failed = false;
  const lane = async () => {
    while (!failed && sockets.length < total) {
      const socket = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
      sockets.push(socket);
      await within(opened(socket), 10_000, `Opening client ${sockets.length}`).catch((error: unknown) => {
        failed = true;
        throw error;
      });
    }
  };
  const lanes = await Promise.allSettled(Array.from({ length: parallel }, lane));
  const failure = lanes.find((each) => each.status === 'rejected');
  if (failure === undefined) return sockets;
  // Those already open would keep this process (and the server's count) busy: let them go.
  for (const socket of sockets) socket.terminate();
  throw failure.reason;
}
