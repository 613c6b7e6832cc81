import { Agent, request } from 'node:http';
import { within } from './common';

/** The fixed load generator of W7 over HTTP: `lanes` keep-alive connections, one call per POST. */
export interface HttpLoad {
  /** Makes `total` calls of `echo [id]`, one POST each, `lanes` at a time, checking every answer. */
  run(total: number, lanes: number): Promise<void>;
  close(): void;
}

export function httpLoad(port: number, lanes: number): HttpLoad {
  const agent = new Agent({ keepAlive: true, maxSockets: lanes });
  // From 1: rpc-websockets takes a request with id 0 for a notification and never answers it.
  let nextId = 1;
  const post = (id: number) =>
    new Promise<void>((resolve, reject) => {
      const body = `{"jsonrpc":"2.0","id":${id},"method":"echo","params":[${id}]}`;
      const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
      const outgoing = request({ agent, host: '127.0.0.1', port, method: 'POST', path: '/', headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let answer: { id?: number; result?: unknown[] } | undefined;
          try {
            answer = JSON.parse(text) as typeof answer;
          } catch {
            // Not JSON: reported below with the status.
          }
          if (response.statusCode === 200 && answer?.id === id && answer.result?.[0] === id) resolve();
          else reject(new Error(`POST ${id} to port ${port} answered ${response.statusCode}: ${text}`));
        });
        response.on('error', reject);
      });
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  const run = async (total: number, width: number) => {
    let issued = 0;
    const lane = async () => {
      while (issued < total) {
        issued++;
        await post(nextId++);
      }
    };
    await Promise.all(Array.from({ length: Math.min(width, total) }, lane));
  };
  return {
    run: (total, width) => within(run(total, width), 120_000, `${total} POSTs to port ${port}`),
    close: () => agent.destroy(),
  };
}
