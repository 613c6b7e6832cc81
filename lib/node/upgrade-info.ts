import type { IncomingMessage } from 'node:http';
import type { ConnectionInfo } from '../transports/transport';

/**
 * What a server's handlers learn about a client from its upgrade request, or its HTTP POST
 * (`transport: 'http'`: the server can only answer it, not notify or call the client).
 */
export interface ServerConnectionInfo extends ConnectionInfo {
  readonly transport: 'websocket' | 'http';
  /** The request's path and query. */
  readonly url: string;
  readonly remoteAddress: string | undefined;
  readonly headers: IncomingMessage['headers'];
  /** The cookies of the request, by name. */
  readonly cookies: { readonly [name: string]: string };
  /**
   * The upgrade request (or the POST) itself: given to `setup` only. Handlers' `context.connection`
   * has every member but this one: kept, it would hold the IncomingMessage and its raw headers
   * (about 1 KB) for the connection's life. Read what you need of it in `setup`.
   */
  readonly request: IncomingMessage;
}

/** What the link of a server peer tells its handlers: `info` but the request (see {@link ServerConnectionInfo.request}). */
export function linkInfoOf(info: ServerConnectionInfo): Omit<ServerConnectionInfo, 'request'> {
  const { request: _request, ...seen } = info;
  return seen;
}

/** Reads the connection info a server peer hands its handlers from the upgrade request (or the POST). */
export function upgradeInfo(request: IncomingMessage): Omit<ServerConnectionInfo, 'transport' | 'protocol'> {
  return {
    url: request.url ?? '/',
    remoteAddress: request.socket.remoteAddress,
    headers: request.headers,
    cookies: parseCookies(request.headers.cookie),
    request,
  };
}

/** The cookies of a request without any: one frozen record for all (an empty null-prototype object costs 0.2 KB a connection). */
const noCookies: { readonly [name: string]: string } = Object.freeze(Object.create(null) as Record<string, string>);

/** Parses a Cookie header (`a=1; b=two`) into a null-prototype record; malformed pairs are skipped. */
export function parseCookies(header: string | undefined): { readonly [name: string]: string } {
  if (header === undefined || header === '') return noCookies;
  // Object.create returns any: a null-prototype record, so that `__proto__` is a plain name
  const cookies = Object.create(null) as Record<string, string>;
  for (const pair of header.split(';')) {
    const separator = pair.indexOf('=');
    if (separator <= 0) continue;
    const name = pair.slice(0, separator).trim();
    let value = pair.slice(separator + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    try {
      cookies[name] = decodeURIComponent(value);
    } catch {
      cookies[name] = value;
    }
  }
  return cookies;
}
