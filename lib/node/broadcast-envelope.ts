import { isNotification } from '../protocol/guards';
import type { JsonRpcNotification } from '../protocol/messages';
import { decodeFrame } from '../protocol/parse';
import type { Codec } from '../peer/options';

/** A broadcast as it travels between processes: who sent it, to which group, and the notification. */
export interface Broadcast {
  /** The sending server's id: a server skips what it sent itself. */
  readonly from: string;
  /** The group it is for; undefined for every client. */
  readonly group: string | undefined;
  readonly notification: JsonRpcNotification;
}

// The envelope is one line of JSON (from, group), a newline, then the notification's frame as
// the peers' codec wrote it: a custom codec's text travels unchanged.
const version = 1;

/** The text of a broadcast; `frame` is the notification's frame. */
export function envelope(from: string, group: string | undefined, frame: string): string {
  return `${JSON.stringify(group === undefined ? { v: version, from } : { v: version, from, group })}\n${frame}`;
}

/**
 * The broadcast `text` holds, or undefined for one that `self` sent (its body is not read);
 * throws an Error saying what is wrong with it. The notification's method and params are
 * checked when it is written again for this server's clients.
 */
export function openEnvelope(text: string, codec: Codec | undefined, self: string): Broadcast | undefined {
  const end = text.indexOf('\n');
  const head = decodeFrame(end === -1 ? text : text.slice(0, end));
  if (end === -1 || !isHead(head)) throw new Error('not an rx-jsonrpc broadcast envelope');
  if (head.from === self) return undefined;
  const notification = decodeFrame(
    text.slice(end + 1),
    codec === undefined ? undefined : (frame) => codec.decode(frame),
  );
  if (!isNotification(notification)) throw new Error('its message is not a notification');
  return { from: head.from, group: head.group, notification };
}

function isHead(value: unknown): value is { from: string; group?: string } {
  if (typeof value !== 'object' || value === null) return false;
  const head = value as { v?: unknown; from?: unknown; group?: unknown };
  return (
    head.v === version && typeof head.from === 'string' && (head.group === undefined || typeof head.group === 'string')
  );
}
