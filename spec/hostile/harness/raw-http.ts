import { connect as tcpConnect } from 'node:net';

/** A request written by hand on a TCP socket; see {@link rawRequest}. */
export interface RawRequest {
  /** @default 'POST' */
  readonly method?: string;
  /** @default '/' */
  readonly target?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Body parts, each written `everyMs` after the last (sent as is: frame them as the headers say). */
  readonly parts?: readonly (string | Buffer)[];
  /** @default 0 */
  readonly everyMs?: number;
  /** Resets the socket (TCP RST) this many ms after the last part, instead of waiting for an answer. */
  readonly resetAfterMs?: number;
  /** Resets the socket once this settles (if it is still open then). */
  readonly resetWhen?: Promise<unknown>;
  /** Resets the socket as soon as the first bytes of the answer arrive. */
  readonly resetOnAnswer?: boolean;
  /** Gives up after this many ms. @default 5_000 */
  readonly timeoutMs?: number;
}

/** What a raw client saw. */
export interface RawOutcome {
  /** The answer's status line; 'reset' when the client reset it; 'closed' or 'timeout' without one. */
  readonly status: string;
  /** Body bytes written before the answer came (or the socket ended). */
  readonly sent: number;
  /** Everything received, as latin1 text. */
  readonly received: string;
  /** Whether the server closed the connection (rather than the client). */
  readonly closedByServer: boolean;
}

/**
 * Sends an HTTP/1.1 request by hand on a TCP socket to `url` (`http://host:port`), writing
 * its body part by part, and stops writing as soon as an answer arrives. Resolves once the
 * socket ends, the client resets it, or `timeoutMs` pass. Never rejects.
 */
export function rawRequest(url: string, request: RawRequest = {}): Promise<RawOutcome> {
  const { method = 'POST', target = '/', headers = {}, parts = [], everyMs = 0, timeoutMs = 5_000 } = request;
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: hostname, port: Number(port) });
    let received = '';
    let sent = 0;
    let ended = false;
    let status: string | undefined;
    const finish = (outcome: string, closedByServer = false) => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      resolve({ status: status ?? outcome, sent, received, closedByServer });
      socket.destroy();
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    const head = [`${method} ${target} HTTP/1.1`, `Host: ${hostname}:${port}`];
    for (const [name, value] of Object.entries(headers)) head.push(`${name}: ${value}`);
    socket.on('error', () => finish('closed', true));
    socket.on('connect', () => {
      socket.write(`${head.join('\r\n')}\r\n\r\n`);
      void writeParts();
    });
    const writeParts = async () => {
      for (const part of parts) {
        if (status !== undefined || ended) return;
        socket.write(part);
        sent += part.length;
        if (everyMs > 0) await new Promise((wait) => setTimeout(wait, everyMs));
      }
      void request.resetWhen?.finally(() => {
        if (ended) return;
        socket.resetAndDestroy();
        finish('reset');
      });
      const resetAfterMs = request.resetAfterMs;
      if (resetAfterMs !== undefined && !ended) {
        setTimeout(() => {
          socket.resetAndDestroy();
          finish('reset');
        }, resetAfterMs);
      }
    };
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (status === undefined && received.includes('\r\n')) status = received.slice(0, received.indexOf('\r\n'));
      if (request.resetOnAnswer === true) {
        socket.resetAndDestroy();
        finish('reset');
      }
    });
    socket.on('end', () => finish('closed', true));
    socket.on('close', () => finish('closed', true));
  });
}
