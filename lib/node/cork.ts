import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';

/**
 * Makes the frames a `ws` socket sends in one burst (one tick of synchronous sends and the
 * microtasks already queued) go out in one write to the network: the underlying TCP socket
 * is corked at the first send and uncorked in a microtask. Many calls made together (a
 * `forkJoin`, a render) then cost one system call instead of one each.
 */
export function corkEachTick(socket: WebSocket): void {
  const send = socket.send.bind(socket) as (...args: unknown[]) => void;
  let corked = false;
  socket.send = ((...args: unknown[]) => {
    // `_socket` is ws's TCP socket, there once the WebSocket is open.
    const raw = (socket as unknown as { _socket?: Socket })._socket;
    if (raw !== undefined && !corked) {
      corked = true;
      raw.cork();
      queueMicrotask(() => {
        corked = false;
        raw.uncork();
      });
    }
    send(...args);
  }) as WebSocket['send'];
}
