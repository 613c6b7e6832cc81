import type { Subscription } from 'rxjs';
import type { PeerConnection, Queued } from './connection';
import type { Outbox } from './outbox';

/**
 * Runs `start`, and sends what the calls and notifications it starts synchronously send as
 * one array frame: at once on an open link; otherwise the hold and its release wait in the link's
 * queue around those messages, in order. Ending the returned subscription ends `start`'s
 * and lets go of the hold.
 */
export function sendTogether(connection: PeerConnection, outbox: Outbox, start: () => Subscription): Subscription {
  let release: (() => void) | undefined;
  const hold = () => void (release = outbox.hold());
  const letGo = () => release?.();
  const open = connection.isOpen;
  const waitToHold: Queued = { send: hold, fail: () => undefined };
  const waitToLetGo: Queued = { send: letGo, fail: () => undefined };
  if (open) hold();
  else connection.enqueue(waitToHold);
  let started: Subscription;
  try {
    started = start();
  } catch (error) {
    // A hold never let go would keep everything sent afterwards from the link.
    connection.dequeue(waitToHold);
    letGo();
    throw error;
  }
  if (open) letGo();
  else connection.enqueue(waitToLetGo);
  started.add(() => {
    connection.dequeue(waitToHold);
    connection.dequeue(waitToLetGo);
    letGo();
  });
  return started;
}
