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
