import { once } from 'node:events';
import { WebSocketServer } from 'ws';
import { serve, type JsonRpcServer, type ServeOptions } from 'rx-jsonrpc/node';
import { hostileChild } from '../harness/child';

/** What argv[2] (JSON) asks of this serve() process. */
interface Scenario {
  /** ServeOptions that JSON can carry (port 0 on 127.0.0.1 unless given). */
  readonly options?: ServeOptions;
  /**
   * Gives serve() an `authenticate` that waits this long, then accepts, except a URL holding
   * `auth-refuse` (refused) or `auth-odd` (rejects with a null-prototype object).
   */
  readonly authDelayMs?: number;
  /** Gives serve() a `ws` server of our own (`wss`), listening on 127.0.0.1 port 0. */
  readonly wss?: boolean;
  /** Each peer announces its own departure to the others with `notifyAll('left')`. */
  readonly announceLeave?: boolean;
}

// A serve() process under attack, for the serve-* hostile suites. Handlers: ping, echo, and
// prefs.set / prefs.get on `session.prefs`. A connection whose URL holds `throw-setup`
// (`reject-setup`) gets a setup that throws (rejects).
async function main(): Promise<void> {
  const scenario = JSON.parse(process.argv[2] ?? '{}') as Scenario;
  const errors: { name: string; message: string }[] = [];
  let setups = 0;
  let wss: WebSocketServer | undefined;
  if (scenario.wss === true) {
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(wss, 'listening');
  }
  const authDelayMs = scenario.authDelayMs;
  const options: ServeOptions = {
    ...(wss === undefined ? { port: 0 } : { wss }),
    ...scenario.options,
    ...(authDelayMs === undefined
      ? {}
      : {
          authenticate: async (request) => {
            await new Promise((resolve) => setTimeout(resolve, authDelayMs));
            if (request.url?.includes('auth-odd') === true) throw Object.create(null) as unknown;
            return request.url?.includes('auth-refuse') !== true;
          },
        }),
  };
  const server: JsonRpcServer = await serve(options, (peer, connection, self) => {
    setups++;
    if (connection.url.includes('throw-setup')) throw new Error('setup failed on purpose');
    peer.handle('ping', () => 'pong');
    peer.handle('echo', (params) => params);
    peer.handle('prefs.set', ({ theme }: { theme: string }, { session }) => {
      (session.prefs as { theme?: string }).theme = theme;
      return true;
    });
    peer.handle('prefs.get', (_params, { session }) => (session.prefs as { theme?: string }).theme ?? null);
    if (scenario.announceLeave === true) {
      peer.state$.subscribe((state) => state.status === 'closed' && self.notifyAll('left', [connection.url]));
    }
    if (connection.url.includes('reject-setup')) return Promise.reject(new Error('setup rejected on purpose')) as never;
  });
  server.errors$.subscribe((error) => errors.push({ name: error.name, message: error.message }));
  const port = wss === undefined ? undefined : (wss.address() as { port: number }).port;
  hostileChild(
    { url: server.url ?? `ws://127.0.0.1:${port}` },
    {
      peers: () => server.peers.size,
      setups: () => setups,
      errors: () => errors.splice(0),
      notifyAll: (argument) => {
        const { method, params } = argument as { method: string; params?: unknown };
        try {
          server.notifyAll(method, params as never);
          return 'sent';
        } catch (error) {
          return { name: (error as Error).name, message: (error as Error).message };
        }
      },
    },
  );
}

void main();
