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

// The state of every socket lives here, not in closures of each: a server holds many thousands.
/** The sockets that sent in this tick, and the TCP sockets corked for its end. */
const sentThisTick = new Set<WebSocket>();
const corked: Socket[] = [];
let tickEnds = false;
// A promise's reaction, not queueMicrotask(): Node wraps each of those in an async resource, a
// few hundred bytes each, and a server whose clients call once a second ends a tick per call.
const resolved = Promise.resolve();

function endOfTick(): void {
  tickEnds = false;
  sentThisTick.clear();
  for (const tcp of corked) tcp.uncork();
  corked.length = 0;
}

function corkingSend(this: WebSocket, ...args: unknown[]): void {
  if (!sentThisTick.has(this)) {
    sentThisTick.add(this);
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
  // ws overloads send(); the arguments pass through untouched, to the prototype's own send.
  (Object.getPrototypeOf(this) as { send: (...args: unknown[]) => void }).send.apply(this, args);
}
