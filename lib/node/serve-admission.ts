import type { IncomingMessage } from 'node:http';
import { HandlerError, messageOf, ProtocolError, type RpcError } from '../protocol/errors';
import type { OriginCheck } from './origin-policy';
import type { Authenticate } from './serve-options';

/** What {@link admit} needs from its server. */
export interface AdmissionSetup {
  /** Whether the server is shutting down. */
  readonly closing: () => boolean;
  readonly originAllowed: OriginCheck;
  readonly authenticate: Authenticate | undefined;
  /** Reports a failure on the server's `errors$`. */
  readonly report: (error: RpcError) => void;
}

/**
 * Decides on an upgrade request: resolves with the session it starts from, or the HTTP
 * status to refuse it with (503 while closing, 403 for an origin not allowed, 401 when
 * `authenticate` says no, 500 when a check failed, which is reported). Never rejects.
 */
export async function admit(
  request: IncomingMessage,
  setup: AdmissionSetup,
): Promise<Record<string, unknown> | number> {
  if (setup.closing()) return 503;
  // The origin comes first: a page that may not call us costs no authentication.
  return originRefusal(request, setup) ?? authenticated(request, setup);
}

/**
 * The status refusing a request for its `Origin`: 403 for an origin not allowed, 500 when
 * the policy threw (reported); undefined when it may go on.
 */
export function originRefusal(request: IncomingMessage, setup: AdmissionSetup): 403 | 500 | undefined {
  try {
    return setup.originAllowed(request) ? undefined : 403;
  } catch (cause) {
    setup.report(new HandlerError(`origins() failed for ${shown(request.url)}: ${messageOf(cause)}`, { cause }));
    return 500;
  }
}

/**
 * Asks `authenticate`: resolves with the session the request starts from, 401 when it says
 * no, 500 when it failed (reported). Never rejects.
 */
export async function authenticated(
  request: IncomingMessage,
  setup: AdmissionSetup,
): Promise<Record<string, unknown> | 401 | 500> {
  if (setup.authenticate === undefined) return {};
  try {
    // What a JavaScript authenticate answers may be anything.
    const verdict: unknown = await setup.authenticate(request);
    // Anything but true or an object refuses: an authenticate that forgets to answer lets nobody in.
    if (verdict === true) return {};
    return typeof verdict === 'object' && verdict !== null ? { ...verdict } : 401;
  } catch (cause) {
    setup.report(new HandlerError(`authenticate() failed for ${shown(request.url)}: ${messageOf(cause)}`, { cause }));
    return 500;
  }
}

/**
 * Whether an upgrade is for `path` (every upgrade is when there is none). Throws a
 * ProtocolError for a request target that is no URL path (`//[`).
 */
export function isForPath(request: IncomingMessage, path: string | undefined): boolean {
  if (path === undefined) return true;
  let pathname: string;
  try {
    pathname = new URL(request.url ?? '/', 'ws://x').pathname;
  } catch (cause) {
    throw new ProtocolError(`Upgrade refused: ${shown(request.url)} is not a valid request target`, { cause });
  }
  return pathname === path;
}

/** A request target for a message: an attacker's 16 KiB URL must not fill the logs. */
export function shown(url: string | undefined): string {
  const target = url ?? '/';
  return target.length > 200 ? `${target.slice(0, 200)}…` : target;
}
