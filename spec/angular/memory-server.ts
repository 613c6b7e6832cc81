import { connect, memoryPair, positional, type MemoryPair, type Peer, type Transport } from 'rx-jsonrpc';

/** A server peer at the other end of a memory link, serving a few methods; see {@link memoryServer}. */
export interface MemoryServer {
  /** The end for the app's peer: `provideJsonRpc({ transport: server.transport })`. */
  readonly transport: Transport;
  /** The server's peer, to notify the app or to call it. */
  readonly peer: Peer;
  readonly link: MemoryPair;
  /** How many times the app's end has been connected. */
  readonly connects: number;
}

const servers: Peer[] = [];

/** Starts a server peer (`math.sum`, `whoami`, slow `wait`) over a memory link; close it with `closeServers()`. */
export function memoryServer(name = 'server'): MemoryServer {
  const link = memoryPair();
  const peer = connect(link.server);
  peer.handle(
    'math.sum',
    positional((a: number, b: number) => a + b),
  );
  peer.handle('whoami', () => name);
  peer.handle('wait', () => new Promise(() => undefined));
  servers.push(peer);
  let connects = 0;
  return {
    transport: {
      connect: () => {
        connects++;
        return link.client.connect();
      },
    },
    peer,
    link,
    get connects() {
      return connects;
    },
  };
}

/** Closes every server `memoryServer()` started (call it in afterEach). */
export function closeServers(): void {
  for (const peer of servers.splice(0)) void peer.close();
}
