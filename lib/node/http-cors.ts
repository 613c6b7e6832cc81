import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { OriginPolicy } from './origin-policy';

/** How long a browser may keep a preflight's answer, in seconds. */
const preflightMaxAge = '600';

/**
 * The CORS headers of a response to `request`, whose origin the policy allowed: the page's
 * origin is named (a browser shows the response to that page only), with credentials (its
 * cookies) unless the policy is `'*'`, which lets any page call and must not let it call as
 * the user. Without an `Origin` header (a client that is no browser: browsers send one with
 * every POST, same-origin too): `Vary` only.
 */
export function corsHeaders(request: IncomingMessage, policy: OriginPolicy | undefined): OutgoingHttpHeaders {
  const origin = request.headers.origin;
  // The answer depends on Origin: a cache must not hand one origin's answer to another.
  if (origin === undefined) return { vary: 'Origin' };
  const headers: OutgoingHttpHeaders = { vary: 'Origin', 'access-control-allow-origin': origin };
  if (policy !== '*') headers['access-control-allow-credentials'] = 'true';
  return headers;
}

/**
 * The headers of the answer (204) to a CORS preflight of an allowed origin: `methods`, with the
 * headers the page asked for (its `Content-Type: application/json`, an `Authorization`...).
 */
export function preflightHeaders(
  request: IncomingMessage,
  policy: OriginPolicy | undefined,
  methods = 'POST',
): OutgoingHttpHeaders {
  const asked = request.headers['access-control-request-headers'];
  return {
    ...corsHeaders(request, policy),
    // The allowed headers echo the ones asked for: a cache must not hand them to another preflight.
    vary: 'Origin, Access-Control-Request-Headers',
    'access-control-allow-methods': methods,
    'access-control-allow-headers': asked ?? 'Content-Type',
    'access-control-max-age': preflightMaxAge,
  };
}
