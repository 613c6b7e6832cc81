import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Resolves once an answered `response` is written out ('finish': its last bytes are with the
 * kernel), closed, or its connection `socket` closed (a response queued behind another on its
 * connection hears of that from nobody else). If that takes more than `deadline` ms (0: no limit)
 * from when it can be written (it has its socket), its connection is
 * cut: a client that never reads would otherwise keep the answer in the server's memory for
 * as long as it keeps the connection open. Never rejects.
 */
export function writtenOut(response: ServerResponse, socket: Socket, deadline: number): Promise<void> {
  if (response.writableFinished || response.destroyed || socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    // The deadline runs from when the answer can be written: a response queued behind another
    // on its connection has no socket yet, and must not be cut for the wait of the one before.
    const start = () => {
      if (deadline > 0) timer = setTimeout(cut, deadline);
    };
    function done(): void {
      clearTimeout(timer);
      response.off('socket', start);
      response.off('finish', done).off('close', done);
      socket.off('close', done);
      resolve();
    }
    function cut(): void {
      // Destroying the response destroys its socket: the answer, and whatever else waits on it, is let go.
      response.destroy();
      done();
    }
    response.once('finish', done).once('close', done);
    socket.once('close', done);
    if (response.socket === null) response.once('socket', start);
    else start();
  });
}
