import type { Socket } from 'node:net';
import type { RawData, WebSocket } from 'ws';

/** What every benchmarked client is reduced to: one call, and one way to hear notifications. */
export interface BenchClient {
  /** Calls `method` and resolves with its result; rejects on an error answer or a closed link. */
  request(method: string, params?: unknown): Promise<unknown>;
  /** Calls `listener` with the params of each notification of `method`; returns the unsubscribe. */
  onNotification(method: string, listener: (params: unknown) => void): () => void;
  /** Closes the link. Calls still waiting may reject or stay pending; nobody awaits them after this. */
  close(): Promise<void>;
}

/** One row of the tables: how to open a client of one library on a URL. */
export interface Adapter {
  /** A short stable key (file names, lookups). */
  readonly key: string;
  /** The row's label. */
  readonly name: string;
  /** Opens a client on `url` and resolves once it can call. */
  open(url: string): Promise<BenchClient>;
}

/** The error of an error answer, for adapters that get the raw error object. */
export class RemoteError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'RemoteError';
  }
}

/** Resolves once a `ws` socket is open; rejects if it fails first. */
export function opened(socket: WebSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
}

/** Resolves once a `ws` socket is closed (at once if it already is). */
export function closed(socket: WebSocket): Promise<void> {
  if (socket.readyState === socket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    socket.once('close', () => resolve());
    socket.close();
  });
}

/** A text frame's content. */
export const text = (data: RawData): string =>
  (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer)).toString();

/** The TCP socket under a `ws` WebSocket, for cork/uncork. */
export const rawSocket = (socket: WebSocket): Socket => (socket as unknown as { _socket: Socket })._socket;
