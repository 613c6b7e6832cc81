import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';

/**
 * Makes the frames a `ws` socket sends in one burst (one tick of synchronous sends and the
 * microtasks already queued) go out in one write to the network: many calls made together
 * (a `forkJoin`, a render) then cost one system call instead of one each. The first frame
 * of a tick is written at once, so that a lone call waits for nothing; the TCP socket is
 * corked from the second and uncorked in a microtask.
 */
export function corkEachTick(socket: WebSocket): void {
  socket.send = corkingSend;
}

// The state of every socket lives here and in one number on it, not in closures of each: a
// server holds many thousands, and a broadcast sends to each of them in one tick.
/** Which tick a socket last sent in (a number on the socket: no Set to fill and clear per tick). */
const lastTick = Symbol('rx-jsonrpc tick');
/** The TCP sockets corked for the end of this tick. */
const corked: Socket[] = [];
let tick = 0;
let tickEnds = false;
// A promise's reaction, not queueMicrotask(): Node wraps each of those in an async resource, a
// few hundred bytes each, and a server whose clients call once a second ends a tick per call.
const resolved = Promise.resolve();

function endOfTick(): void {
  tickEnds = false;
  tick++;
  for (const tcp of corked) tcp.uncork();
  corked.length = 0;
}

/** `send` of ws's WebSocket.prototype, found at the first send (ws is loaded lazily). */
let protoSend: ((data: unknown, options?: unknown, callback?: unknown) => void) | undefined;

function corkingSend(
  this: WebSocket & { [lastTick]?: number },
  data: unknown,
  options?: unknown,
  callback?: unknown,
): void {
  if (this[lastTick] !== tick) {
    this[lastTick] = tick;
    if (!tickEnds) {
      tickEnds = true;
      void resolved.then(endOfTick);
    }
  } else {
    // `_socket` is ws's TCP socket, there once the WebSocket is open.
    const tcp = (this as unknown as { _socket?: Socket })._socket;
    if (tcp !== undefined && tcp.writableCorked === 0) {
      tcp.cork();
      corked.push(tcp);
    }
  }
  // ws overloads send() (data, options?, callback?); they pass through, to the prototype's own send.
  protoSend ??= (Object.getPrototypeOf(this) as { send: NonNullable<typeof protoSend> }).send;
  protoSend.call(this, data, options, callback);
}
