import type * as Ws from 'ws';
import { messageOf, TransportError } from '../protocol/errors';

/**
 * Loads the `ws` package the first time a WebSocket function needs it, so that the rest of
 * `rx-jsonrpc/node` (processes, streams, TCP, IPC) works where `ws`, an optional peer
 * dependency, is not installed. Fails with a non-retryable `TransportError` that says
 * "is not installed" only when `ws` itself cannot be found, and "failed to load: <reason>"
 * when it is there but throws (a dependency of its own missing, a bundler's mistake...).
 */
export async function loadWs(user: string): Promise<typeof Ws> {
  try {
    return await import('ws');
  } catch (cause) {
    const why = isMissing(cause) ? 'is not installed: npm install ws' : `failed to load: ${messageOf(cause)}`;
    throw new TransportError(`${user} needs the ws package, which ${why}`, { cause, retryable: false });
  }
}

/** Whether `failure` says that `ws` itself cannot be found, not a module it (or a bundle) asked for. */
function isMissing(failure: unknown): boolean {
  const code = (failure as { code?: unknown } | null)?.code;
  // Node says "Cannot find package 'ws' imported from …" (ESM) or "Cannot find module 'ws'" (require).
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && /\s'ws'/.test(messageOf(failure));
}
