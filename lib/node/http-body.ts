import type { IncomingMessage } from 'node:http';

/**
 * Why a body was not read whole: too large (413), the client went away, or something else
 * (a body parser mounted before the handler) read it first.
 */
export type BodyRefusal = 413 | 'gone' | 'consumed';

/** The body read whole, as text. */
export interface Body {
  readonly text: string;
}

/**
 * Reads a request body as UTF-8 text, counting bytes as they arrive: past `limit` bytes it
 * stops at once (holding no more than `limit`) and resolves with 413, as it does at once for
 * a `Content-Length` above `limit`. Resolves with 'gone' when the client aborts, and with
 * 'consumed' for a body already read by someone else (which would otherwise never end). Never rejects.
 */
export function readBody(request: IncomingMessage, limit: number): Promise<Body | BodyRefusal> {
  if (Number(request.headers['content-length']) > limit) return Promise.resolve(413);
  if (request.readableEnded) return Promise.resolve('consumed');
  if (request.destroyed) return Promise.resolve('gone');
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (outcome: Body | BodyRefusal) => {
      request.off('data', onData).off('end', onEnd).off('error', onGone).off('close', onGone);
      chunks.length = 0;
      resolve(outcome);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        // Reading on would hold (or at least receive) what the limit is there to refuse.
        request.pause();
        done(413);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => done({ text: Buffer.concat(chunks, size).toString('utf8') });
    const onGone = () => done('gone');
    request.on('data', onData).once('end', onEnd).once('error', onGone).once('close', onGone);
  });
}

/** Whether a `Content-Type` is JSON in UTF-8: `application/json`, with no charset or `utf-8`. */
export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const [type = '', ...parameters] = header.split(';');
  if (type.trim().toLowerCase() !== 'application/json') return false;
  return parameters.every((parameter) => {
    const [name = '', value = ''] = parameter.split('=');
    if (name.trim().toLowerCase() !== 'charset') return true;
    return /^"?utf-?8"?$/i.test(value.trim());
  });
}
