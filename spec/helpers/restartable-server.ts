import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { RpcApi, UntypedApi } from 'rx-jsonrpc';
import { serve, type JsonRpcServer, type ServeOptions, type SetupPeer } from 'rx-jsonrpc/node';

/** A serve() server on a fixed loopback port that can be killed and started again, as a deploy does. */
export interface RestartableServer {
  readonly url: string;
  /** How many times it has started. */
  readonly starts: number;
  /** The running server, if any. */
  readonly current: JsonRpcServer | undefined;
  /** Starts it (again) on the same port. */
  start(): Promise<void>;
  /** Cuts every connection without a close frame (clients see 1006) and stops listening. */
  kill(): Promise<void>;
  /** Stops gracefully (clients see 1001). */
  stop(): Promise<void>;
}

const running = new Set<RestartableServer>();

/** Makes a restartable server (started) running `setup` for each client. */
export async function restartableServer<Api extends RpcApi = UntypedApi>(
  setup: SetupPeer<Api>,
  options: Omit<ServeOptions, 'server' | 'port' | 'wss'> = {},
): Promise<RestartableServer> {
  let port = 0;
  let starts = 0;
  let http: Server | undefined;
  let current: JsonRpcServer | undefined;
  const sockets = new Set<Socket>();

  const shutdown = async (graceful: boolean) => {
    if (http === undefined) return;
    const stopping = http;
    http = undefined;
    if (graceful) await current?.close({ drain: 0 });
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    if (!graceful) await current?.close({ drain: 0 });
    await new Promise((resolve) => stopping.close(resolve));
    current = undefined;
  };

  const server: RestartableServer = {
    get url() {
      return `ws://127.0.0.1:${port}`;
    },
    get starts() {
      return starts;
    },
    get current() {
      return current;
    },
    start: async () => {
      http = createServer();
      http.on('connection', (socket) => {
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
      });
      http.listen(port, '127.0.0.1');
      await once(http, 'listening');
      port = (http.address() as { port: number }).port;
      current = await serve<Api>({ ...options, server: http }, setup);
      starts++;
    },
    kill: () => shutdown(false),
    stop: () => shutdown(true),
  };
  running.add(server);
  await server.start();
  return server;
}

/** Kills every restartable server (call it in afterEach). */
export async function killAllServers(): Promise<void> {
  await Promise.all([...running].map((server) => server.kill()));
  running.clear();
}
