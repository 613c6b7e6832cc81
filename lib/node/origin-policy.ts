import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/**
 * Which web pages may open a connection, judged by the upgrade request's `Origin` header
 * (browsers always send it; other clients usually do not):
 * - `'same-origin'`: requests without `Origin` and pages of the server's own origin (the
 *   Origin's host and port equal the request's `Host` header) reached at an IP address or
 *   `localhost`. A page reached by a host name must be listed: after DNS rebinding, an
 *   attacker's page at `evil.example` sends `Host: evil.example` too, while the name
 *   resolves to this server.
 * - a list of origins (`'https://app.example.org'`, scheme, host and port only), accepted
 *   besides the same-origin ones.
 * - a predicate, given the `Origin` header and the request: true accepts. It is asked only
 *   when there is an `Origin` header.
 * - `'*'`: every origin, as `ws` does; only for servers that authenticate otherwise than by
 *   cookies, since any page a user opens can then call them with the user's cookies.
 */
export type OriginPolicy =
  'same-origin' | '*' | readonly string[] | ((origin: string, request: IncomingMessage) => boolean);

/** Tells whether an upgrade request comes from an allowed origin; throws what a predicate throws. */
export type OriginCheck = (request: IncomingMessage) => boolean;

/**
 * Builds the check for `policy`, once, when the server starts: list entries are read as
 * URLs and reduced to their origin, so `'https://App.example.org/'` matches what a browser
 * sends. Throws a TypeError for an entry that is no origin.
 */
export function originCheck(policy: OriginPolicy = 'same-origin'): OriginCheck {
  if (policy === '*') return () => true;
  if (typeof policy === 'function') {
    return (request) => {
      const origin = request.headers.origin;
      // a JavaScript policy may return anything: only a real true accepts
      return origin === undefined || (policy(origin, request) as unknown) === true;
    };
  }
  const allowed = new Set(policy === 'same-origin' ? [] : policy.map(originOf));
  return (request) => {
    const origin = request.headers.origin;
    return origin === undefined || allowed.has(origin) || sameOrigin(origin, request.headers.host);
  };
}

function originOf(entry: string): string {
  // A sandboxed iframe or a file:// page sends the opaque origin `null`: allowed only by name.
  if (entry === 'null') return entry;
  let origin: string | undefined;
  try {
    origin = new URL(entry).origin;
  } catch {
    // Reported below with the entry itself.
  }
  if (origin === undefined || origin === 'null') {
    throw new TypeError(
      `serve(): origins holds ${JSON.stringify(entry)}, which is not an origin such as 'https://example.org'`,
    );
  }
  return origin;
}

/** Whether `origin` names the host and port the request was sent to (its Host header). */
function sameOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false;
  try {
    const page = new URL(origin);
    // Read Host with the page's scheme, so that a default port (80, 443) compares equal when left out.
    const target = new URL(`${page.protocol}//${host}`);
    return (
      page.origin === target.origin &&
      target.username === '' &&
      target.pathname === '/' &&
      notRebindable(target.hostname)
    );
  } catch {
    return false;
  }
}

/** Whether `hostname` is an IP address or `localhost`, which no DNS answer can stand in for. */
function notRebindable(hostname: string): boolean {
  // A fully qualified name may end with a dot: `localhost.` is still this machine.
  const name = hostname.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost') || isIP(name.replace(/^\[|\]$/g, '')) !== 0;
}
