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

/** The media types of a JSON-RPC body: JSON, and the two geth also takes. */
const jsonTypes: ReadonlySet<string> = new Set(['application/json', 'application/json-rpc', 'application/jsonrequest']);

/**
 * Reads a request body as UTF-8 text (a leading byte order mark dropped), counting bytes as
 * they arrive: past `limit` bytes (0: no limit) it stops at once (holding no more than
 * `limit`) and resolves with 413, as it does at once for a `Content-Length` above `limit`.
 * Resolves with 'gone' when the client aborts, and with 'consumed' for a body already read
 * by someone else (which would otherwise never end). `beforeReading` runs once it is going
 * to read (to send `100 Continue`, say). Never rejects.
 */
export function readBody(
  request: IncomingMessage,
  limit: number,
  beforeReading: () => void = () => undefined,
): Promise<Body | BodyRefusal> {
  const max = limit === 0 ? Infinity : limit;
  if (Number(request.headers['content-length']) > max) return Promise.resolve(413);
  if (request.readableEnded) return Promise.resolve('consumed');
  if (request.destroyed) return Promise.resolve('gone');
  beforeReading();
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (outcome: Body | BodyRefusal) => {
      request.off('data', onData).off('end', onEnd).off('error', onGone).off('close', onGone);
      chunks.length = 0;
      resolve(outcome);
    };
    const onData = (chunk: Buffer | string) => {
      // Strings, when something called request.setEncoding(): Buffer.concat would throw on them.
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += bytes.length;
      if (size > max) {
        done(413);
        // pause() would not stop node:http, which parses the socket in C++: the rest would pile
        // up in the request until its connection closes. Flowing with no listener drops it.
        request.resume();
        return;
      }
      chunks.push(bytes);
    };
    const onEnd = () => done({ text: withoutBom(Buffer.concat(chunks, size).toString('utf8')) });
    const onGone = () => done('gone');
    request.on('data', onData).once('end', onEnd).once('error', onGone).once('close', onGone);
  });
}

/**
 * Whether a `Content-Type` is JSON in UTF-8: `application/json` (or `application/json-rpc`,
 * `application/jsonrequest`, as geth takes them), with no charset or `utf-8`.
 */
export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const [type = '', ...parameters] = header.split(';');
  if (!jsonTypes.has(type.trim().toLowerCase())) return false;
  return parameters.every((parameter) => {
    const [name = '', value = ''] = parameter.split('=');
    if (name.trim().toLowerCase() !== 'charset') return true;
    return /^"?utf-?8"?$/i.test(value.trim());
  });
}

/** Some Windows tools start UTF-8 text with U+FEFF, which JSON.parse refuses (RFC 8259 lets a parser ignore it). */
function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
