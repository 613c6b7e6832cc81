import { messageOf } from '../protocol/errors';

/**
 * Checks once, when the server starts, that the `session` template of `serve()`'s peer
 * options can be deep-copied, and returns what makes each connection's copy: nested objects
 * must never be shared by two clients. Throws a TypeError for a template `structuredClone`
 * refuses (functions, class instances with private state, sockets...).
 */
export function sessionCopies(template: Record<string, unknown> | undefined): () => Record<string, unknown> {
  if (template === undefined) return () => ({});
  try {
    structuredClone(template);
  } catch (cause) {
    throw new TypeError(
      'serve(): peer.session cannot be copied for each connection with structuredClone ' +
        `(${messageOf(cause)}); keep it plain data, and build per-connection state in authenticate() or setup`,
      { cause },
    );
  }
  return () => structuredClone(template);
}
