import { messageOf, ProtocolError } from '../../protocol/errors';
import { isJsonRpcParams } from '../../protocol/guards';
import type { JsonRpcId, JsonRpcMessage, JsonRpcParams } from '../../protocol/messages';
import type { Codec } from '../options';

/**
 * Checks what a caller passes before anything is sent. Returns the problem in words, or
 * undefined when the call is well formed.
 */
export function checkCall(method: unknown, params: unknown): string | undefined {
  if (typeof method !== 'string' || method === '')
    return `the method must be a non-empty string, got ${String(method)}`;
  if (params !== undefined && !isJsonRpcParams(params))
    return `params must be an array or an object, got ${params === null ? 'null' : typeof params}`;
  return undefined;
}

/**
 * A message ready for the link: its text, or, for a transport that does not serialize, the
 * message object itself (or a batch's array of them).
 */
export type OutgoingFrame = string | object;

/**
 * The codec of a peer whose transport does not serialize (`Transport.serialize` false): the
 * encoders hand messages over as they are, without calling it. Its `encode` (JSON) serves
 * only to key shared calls (`share`) by the JSON text of their params, as without a codec.
 */
export const asIs: Codec = {
  encode: (message) => JSON.stringify(message),
  decode: (text) => JSON.parse(text) as unknown,
};

/**
 * Whether the frames of a batch are text. A peer's frames are all text, or all objects (its
 * transport does not serialize), so the first one says it for all.
 */
export function areText(frames: readonly OutgoingFrame[]): frames is readonly string[] {
  return typeof frames[0] === 'string';
}

/** The frame of a message: what `encode()` writes, or the message itself with the `asIs` codec. */
export function encodeFrame(message: object, subject: () => string, codec?: Codec): OutgoingFrame {
  return codec === asIs ? message : encode(message, subject, codec);
}

/** Throws the ProtocolError of a notification its caller may not send (a bad method or params). */
export function checkNotification(method: unknown, params: unknown): void {
  const problem = checkCall(method, params);
  // String(): JavaScript callers may pass anything as the method.
  if (problem !== undefined) throw new ProtocolError(`Notification (${String(method)}) not sent: ${problem}`);
}

/**
 * Serialises a message with `codec` (JSON without one), turning what it throws (for JSON:
 * the TypeError of a BigInt or a cycle) into a ProtocolError about `subject` (a function:
 * the words are made only when they are needed).
 */
export function encode(message: object, subject: () => string, codec?: Codec): string {
  try {
    return codec === undefined ? JSON.stringify(message) : encodeWith(codec, message);
  } catch (cause) {
    throw unserialisable(subject(), cause, codec !== undefined);
  }
}

/** A codec's text for `message`; throws when it gives something else than a string. */
export function encodeWith(codec: Codec, message: object): string {
  const text: unknown = codec.encode(message);
  if (typeof text !== 'string') throw new TypeError(`the codec's encode() returned ${typeof text}, not a string`);
  return text;
}

/** The error of a message about `subject` that `JSON.stringify` (or the peer's codec) refused with `cause`. */
export function unserialisable(subject: string, cause: unknown, byCodec = false): ProtocolError {
  const how = byCodec ? 'by the codec' : 'to JSON';
  return new ProtocolError(`${subject} cannot be serialised ${how}: ${messageOf(cause)}`, { cause });
}

/** The frame of a request (with `id`) or a notification (without). */
export function callMessage(method: string, params: JsonRpcParams | undefined, id?: JsonRpcId): JsonRpcMessage {
  if (id === undefined) return params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params };
  return params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params };
}
