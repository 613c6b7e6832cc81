import type { IncomingMessage } from 'node:http';
import { once } from 'node:events';
import { WebSocket, WebSocketServer, type ClientOptions, type ServerOptions } from 'ws';
import { AsyncQueue } from './async-queue';

/** A socket a test server accepted, with its upgrade request. */
export interface Accepted {
  readonly socket: WebSocket;
  readonly request: IncomingMessage;
}

/** A `ws` server listening on 127.0.0.1 on a free port; see {@link startWsServer}. */
export interface TestWsServer {
  readonly server: WebSocketServer;
  readonly port: number;
  /** `ws://127.0.0.1:<port>`. */
  readonly url: string;
  /** Resolves with the next socket the server accepts, in order. */
  accepted(): Promise<Accepted>;
  /** Terminates its sockets and stops listening. */
  close(): Promise<void>;
}

const servers = new Set<TestWsServer>();
const clients = new Set<WebSocket>();

/** Starts a `ws` server on 127.0.0.1, port 0, and resolves once it listens. */
export async function startWsServer(
  options: Omit<ServerOptions, 'host' | 'port' | 'server'> = {},
): Promise<TestWsServer> {
  const server = new WebSocketServer({ ...options, host: '127.0.0.1', port: 0 });
  const queue = new AsyncQueue<Accepted>();
  server.on('connection', (socket, request) => queue.push({ socket, request }));
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const started: TestWsServer = {
    server,
    port,
    url: `ws://127.0.0.1:${port}`,
    accepted: () => queue.take(),
    close: async () => {
      servers.delete(started);
      for (const socket of server.clients) socket.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  servers.add(started);
  return started;
}

/** A loopback port nothing listens on: a server was just opened on it and closed. */
export async function closedPort(): Promise<number> {
  const { port, close } = await startWsServer();
  await close();
  return port;
}

/** Opens a plain `ws` client and resolves once it is open; `closeAllWs()` terminates it. */
export async function openWsClient(url: string, options?: ClientOptions): Promise<WebSocket> {
  const socket = new WebSocket(url, options);
  clients.add(socket);
  socket.once('close', () => clients.delete(socket));
  await once(socket, 'open');
  return socket;
}

/** Resolves with the code and reason of a `ws` socket's close (pass a socket that is not closed yet). */
export async function closeOf(socket: WebSocket): Promise<{ code: number; reason: string }> {
  const [code, reason] = (await once(socket, 'close')) as [number, Buffer];
  return { code, reason: reason.toString() };
}

/** Resolves with the next message a `ws` socket receives. */
export async function messageOf(socket: WebSocket): Promise<{ data: Buffer; isBinary: boolean }> {
  const [data, isBinary] = (await once(socket, 'message')) as [Buffer, boolean];
  return { data, isBinary };
}

/** Terminates every client and server these helpers opened (call it in afterEach). */
export async function closeAllWs(): Promise<void> {
  for (const socket of clients) socket.terminate();
  clients.clear();
  await Promise.all([...servers].map((server) => server.close()));
}
