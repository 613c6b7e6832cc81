import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** A request a test HTTP server received, with its body read. */
export interface Received {
  readonly request: IncomingMessage;
  readonly body: string;
}

/** A plain HTTP server on 127.0.0.1, port 0, answering with `respond`; see {@link startHttpServer}. */
export interface TestHttpServer {
  readonly url: string;
  readonly received: Received[];
  close(): Promise<void>;
}

const servers = new Set<Server>();

/** Starts an HTTP server whose every request is read whole and answered by `respond`. */
export async function startHttpServer(
  respond: (received: Received, response: ServerResponse) => void,
): Promise<TestHttpServer> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      const entry = { request, body };
      received.push(entry);
      respond(entry, response);
    });
  });
  servers.add(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/rpc`,
    received,
    close: () => {
      servers.delete(server);
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Answers a JSON-RPC body the way a simple server would: each request gets `{ result: method }`. */
export function echoMethods({ body }: Received, response: ServerResponse): void {
  const parsed = JSON.parse(body) as { id?: number; method: string } | { id?: number; method: string }[];
  const answer = (m: { id?: number; method: string }) => ({ jsonrpc: '2.0', id: m.id, result: m.method });
  const answers = Array.isArray(parsed)
    ? parsed.filter((m) => m.id !== undefined).map(answer)
    : parsed.id === undefined
      ? undefined
      : answer(parsed);
  if (answers === undefined || (Array.isArray(answers) && answers.length === 0)) {
    response.writeHead(204).end();
  } else {
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answers));
  }
}

/** Closes every server these helpers started (call it in afterEach). */
export async function closeAllHttp(): Promise<void> {
  await Promise.all(
    [...servers].map((server) => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    }),
  );
  servers.clear();
}
