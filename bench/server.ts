// The one server every client talks to: plain `ws`, in its own process, on 127.0.0.1 and
// a port the OS picks, reported to the parent over IPC. It answers requests and batches
// at once, corking the socket so that one tick's answers leave in one write.
//
// The URL configures a connection:
//   ?hold  holds the answers to `sum` until a `release` call, then writes them all in one
//          socket write (pre-framed, so that the client, not the server, sets the pace)
//   ?mute  never answers (for counting the heap of pending calls)
// Methods: `sum` (adds its positional params), `echo` (returns its params), `push`
// ({ method, count }: answers { count }, then pushes `count` notifications of `method`
// with params { seq } as fast as the socket drains), `release` (see ?hold).
//
// W7 also runs it, as the limit of servers over WebSocket (it reports its CPU time, see
// servers/child.ts); the harness stops it by its pid and it exits if its parent goes away.
import type { Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { portOf, serving } from './servers/child';

type Message = {
  readonly jsonrpc?: unknown;
  readonly id?: unknown;
  readonly method?: unknown;
  readonly params?: unknown;
};

const pushChunk = 2048;

const answer = (id: unknown, result: unknown): string =>
  `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":${JSON.stringify(result)}}`;
const failure = (id: unknown, code: number, message: string): string =>
  `{"jsonrpc":"2.0","id":${JSON.stringify(id ?? null)},"error":{"code":${code},"message":${JSON.stringify(message)}}}`;

/** An unmasked, final text frame (RFC 6455, section 5.2), as a server sends it. */
function textFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const length = payload.length;
  const header = length < 126 ? Buffer.alloc(2) : length < 65_536 ? Buffer.alloc(4) : Buffer.alloc(10);
  header[0] = 0x81;
  if (length < 126) header[1] = length;
  else if (length < 65_536) {
    header[1] = 126;
    header.writeUInt16BE(length, 2);
  } else {
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([header, payload]);
}

/** The underlying TCP socket, for cork/uncork and drain. */
const rawSocket = (socket: WebSocket): Socket => (socket as unknown as { _socket: Socket })._socket;

function push(socket: WebSocket, method: string, count: number): void {
  const raw = rawSocket(socket);
  const prefix = `{"jsonrpc":"2.0","method":${JSON.stringify(method)},"params":{"seq":`;
  let seq = 0;
  // Pre-framed and written a chunk at a time, so that the server outpaces any client.
  const step = () => {
    if (socket.readyState !== WebSocket.OPEN) return;
    const frames: Buffer[] = [];
    const end = Math.min(count, seq + pushChunk);
    for (; seq < end; seq++) frames.push(textFrame(`${prefix}${seq}}}`));
    const drained = raw.write(Buffer.concat(frames));
    if (seq >= count) return;
    if (drained) setImmediate(step);
    else raw.once('drain', step);
  };
  setImmediate(step);
}

/** Answers one message: the answer frame, or undefined for a notification; `after` runs once it is sent. */
function handle(socket: WebSocket, message: unknown, after: (() => void)[]): string | undefined {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    return failure(null, -32600, 'Invalid Request');
  }
  const { id, method, params } = message as Message;
  if (typeof method !== 'string') return failure(id, -32600, 'Invalid Request');
  if (id === undefined) return undefined;
  switch (method) {
    case 'sum': {
      if (!Array.isArray(params)) return failure(id, -32602, 'Invalid params');
      let total = 0;
      for (const value of params) total += Number(value);
      return answer(id, total);
    }
    case 'echo':
      return answer(id, params ?? null);
    case 'push': {
      const { method: pushed, count } = (params ?? {}) as { method?: unknown; count?: unknown };
      if (typeof pushed !== 'string' || typeof count !== 'number') return failure(id, -32602, 'Invalid params');
      after.push(() => push(socket, pushed, count));
      return answer(id, { count });
    }
    default:
      return failure(id, -32601, 'Method not found');
  }
}

function serveConnection(socket: WebSocket, url: URL): void {
  const hold = url.searchParams.has('hold');
  const mute = url.searchParams.has('mute');
  const raw = rawSocket(socket);
  let held: Buffer[] = [];
  let corked = false;
  const uncork = () => {
    corked = false;
    raw.uncork();
  };
  const send = (frame: string) => {
    if (mute) return;
    if (!corked) {
      corked = true;
      raw.cork();
      process.nextTick(uncork);
    }
    socket.send(frame);
  };
  /** Writes every held answer in one socket write, then answers the `release` call. */
  const release = (id: unknown) => {
    const frames = held;
    held = [];
    raw.write(Buffer.concat(frames));
    send(answer(id, { released: frames.length }));
  };

  socket.on('message', (data) => {
    let message: unknown;
    try {
      message = JSON.parse(String(data));
    } catch {
      return send(failure(null, -32700, 'Parse error'));
    }
    const after: (() => void)[] = [];
    if (Array.isArray(message)) {
      if (message.length === 0) return send(failure(null, -32600, 'Invalid Request'));
      const answers: string[] = [];
      for (const member of message) {
        const frame = handle(socket, member, after);
        if (frame !== undefined) answers.push(frame);
      }
      if (answers.length === 0) return;
      if (hold) held.push(textFrame(`[${answers.join(',')}]`));
      else send(`[${answers.join(',')}]`);
    } else {
      const { id, method } = (message ?? {}) as Message;
      if (hold && method === 'release') release(id);
      else {
        const frame = handle(socket, message, after);
        if (frame === undefined) return;
        if (hold && method === 'sum') held.push(textFrame(frame));
        else send(frame);
      }
    }
    for (const run of after) run();
  });
}

const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
server.on('connection', (socket, request) => serveConnection(socket, new URL(request.url ?? '/', 'http://bench')));
// Tells the harness (or W7, where it is the limit) its port, and answers W7's CPU questions.
server.on('listening', () => serving(portOf(server.address())));
