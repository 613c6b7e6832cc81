import type * as Ws from 'ws';
import { TransportError } from '../protocol/errors';

/**
 * Loads the `ws` package the first time a WebSocket function needs it, so that the rest of
 * `rx-jsonrpc/node` (processes, streams, TCP, IPC) works where `ws`, an optional peer
 * dependency, is not installed.
 */
export async function loadWs(user: string): Promise<typeof Ws> {
  try {
    return await import('ws');
  } catch (cause) {
    throw new TransportError(`${user} needs the ws package, which is not installed: npm install ws`, {
      cause,
      retryable: false,
    });
  }
}
