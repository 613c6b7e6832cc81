import { request, type HttpEndpoint } from './http-fetch';

/** How long the DELETE that ends a session may take before it is aborted, in ms. */
export const deleteTimeout = 2_000;

const noop = () => undefined;

/**
 * Ends the endpoint's session, if it has one: forgets it here and sends the `DELETE` that
 * lets the server free it. Nobody waits for the answer, and nothing is reported: the request
 * is aborted after {@link deleteTimeout}, so a server that never answers holds no request
 * (nor the process) open, and a failure is swallowed.
 */
export function endSession(endpoint: HttpEndpoint): void {
  // async: whatever throws (a headers function, a platform without AbortSignal.timeout) becomes a rejection, swallowed.
  const send = async () => request(endpoint, 'DELETE', { signal: AbortSignal.timeout(deleteTimeout) });
  if (endpoint.session.current !== undefined) send().catch(noop);
  // After the send: request() has read the id synchronously.
  endpoint.session.end();
}
