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
  // ws overloads send(); the wrapper passes its arguments through untouched
  const send = socket.send.bind(socket) as (...args: unknown[]) => void;
  let sentThisTick = false;
  let corked: Socket | undefined;
  const endOfTick = () => {
    sentThisTick = false;
    corked?.uncork();
    corked = undefined;
  };
  socket.send = ((...args: unknown[]) => {
    if (!sentThisTick) {
      sentThisTick = true;
      queueMicrotask(endOfTick);
    } else if (corked === undefined) {
      // `_socket` is ws's TCP socket, there once the WebSocket is open.
      corked = (socket as unknown as { _socket?: Socket })._socket;
      corked?.cork();
    }
    send(...args);
    // the same arguments as the original, passed through
  }) as WebSocket['send'];
}
