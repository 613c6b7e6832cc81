import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { eventStreamAnswer } from './http-event-stream';
import { reply } from './http-reply';
import { untilEnded } from './http-session-ended';
import type { HttpSession } from './http-sessions';

/** What a standing stream writes to say it is alive: an SSE comment, which clients skip. */
const comment = ': \n\n';

/**
 * Holds `response` open as the standing stream of `session` (409 when it has one open
 * already); resolves once it has ended: its client left, the session ended, or the stream
 * was cut. Every `keepAlive` ms (0: never) it writes a comment, which keeps proxies from
 * closing a quiet stream and finds out a client whose connection is gone. It is cut (its
 * response destroyed) when its client does not read: a push finds more than `limit` bytes
 * waiting (the push is refused), or bytes have waited from one keepalive to the next with
 * none of them sent. Never rejects.
 */
export async function standingStream(
  session: HttpSession,
  response: ServerResponse,
  headers: OutgoingHttpHeaders,
  limit: number,
  keepAlive: number,
): Promise<void> {
  const release = session.stand();
  if (release === undefined) {
    reply(response, 409, headers, { text: 'Conflict: this session has its event stream open already' });
    return;
  }
  if (response.destroyed) {
    release();
    return;
  }
  const stream = eventStreamAnswer(response, headers, limit);
  const cut = () => {
    response.destroy();
    return false;
  };
  session.link.stand({ push: (frame) => stream.push(frame) || cut(), end: (frame) => stream.end(frame) });
  stream.begin();
  // The bytes handed to the kernel so far: bytesWritten counts those still waiting in the socket too.
  const sent = () => (response.socket?.bytesWritten ?? 0) - (response.socket?.writableLength ?? 0);
  let sentBefore = sent();
  const tick = () => {
    if (response.writableLength > 0 && sent() === sentBefore) return void cut();
    sentBefore = sent();
    response.write(comment);
  };
  // Unref'd: a standing stream must not keep the process alive.
  const ticks = keepAlive > 0 ? setInterval(tick, keepAlive).unref() : undefined;
  await untilEnded(session, response);
  clearInterval(ticks);
  session.link.stand(undefined);
  release();
  stream.end(undefined);
}
