import { inject, NgZone, PendingTasks, PLATFORM_ID } from '@angular/core';
import { Observable, throwError } from 'rxjs';
import type { Interceptor, PeerOptions } from '../peer/options';
import { TransportError } from '../protocol/errors';
import type { Transport } from '../transports/transport';
import type { JsonRpcBackendLink } from './backend';

/** A link of a connection's own for server-side rendering: the `ssr` option of `provideJsonRpc()`. */
export interface JsonRpcSsrLink {
  /**
   * The transport the peer links with while the app renders on the server, or a function
   * that returns one (it runs in an injection context): `http()` to an absolute URL, say, or
   * `webSocket()` from `rx-jsonrpc/node`, where the browser's own uses a relative one.
   */
  readonly transport: Transport | (() => Transport);
  /**
   * Laid over the connection's `options` on the server, each one replacing the connection's:
   * a shorter `timeout` bounds how long a call can hold the render.
   * @default {} (the connection's options)
   */
  readonly options?: PeerOptions;
}

/**
 * What a connection does while the app renders on the server (`PLATFORM_ID` is `'server'`):
 * `'offline'` opens no link, `'connect'` links with the connection's own transport, a
 * {@link JsonRpcSsrLink} with the transport it names. See `JsonRpcConfig.ssr`.
 */
export type JsonRpcSsr = 'offline' | 'connect' | JsonRpcSsrLink;

/** How a connection's peer is made while the app renders on the server. */
export interface ServerRendering {
  /** The link instead of the connection's own; undefined to use that. */
  readonly link: JsonRpcBackendLink | undefined;
  /** Holds the render while a call is out, as `HttpClient` holds it; undefined when offline. */
  readonly hold: Interceptor | undefined;
}

/**
 * How the peer of `connection` is made when the app renders on the server; undefined in the
 * browser and without a platform. Runs in the injection context of the peer's injector.
 */
export function serverRendering(ssr: JsonRpcSsr | undefined, connection: string): ServerRendering | undefined {
  // isPlatformServer() is this comparison; @angular/common is not a peer dependency.
  if (inject(PLATFORM_ID, { optional: true }) !== 'server') return undefined;
  if (ssr === undefined || ssr === 'offline') {
    // Closed from the start: each call fails at once, so nothing waits for a link that never opens.
    return { link: { transport: offline(connection), options: { reconnect: false } }, hold: undefined };
  }
  const hold = holdRender(inject(PendingTasks), inject(NgZone, { optional: true }));
  if (ssr === 'connect') return { link: undefined, hold };
  const transport = typeof ssr.transport === 'function' ? ssr.transport() : ssr.transport;
  return { link: { transport, options: ssr.options ?? {} }, hold };
}

/**
 * Makes each call hold the render as a pending task (all that a zoneless render waits for),
 * from its subscription to its end. Its I/O runs outside Angular's zone, as HttpClient's
 * fetch does, where the transport's own timers (fetch keeps one after the answer) cannot keep
 * a zone.js render from ever being stable; what it delivers comes back into the zone.
 */
function holdRender(tasks: PendingTasks, zone: NgZone | null): Interceptor {
  return (call, next) =>
    new Observable((subscriber) => {
      const done = tasks.add();
      const subscription =
        zone === null
          ? next(call).subscribe(subscriber)
          : zone.runOutsideAngular(() =>
              next(call).subscribe({
                next: (value) => zone.run(() => subscriber.next(value)),
                error: (error: unknown) => zone.run(() => subscriber.error(error)),
                complete: () => zone.run(() => subscriber.complete()),
              }),
            );
      return () => {
        subscription.unsubscribe();
        done();
      };
    });
}

/** A transport that never opens, failing each attempt with a non-retryable `TransportError` that says why. */
function offline(connection: string): Transport {
  const message =
    `no link during server-side rendering: connection '${connection}' connects in the browser only ` +
    `(provideJsonRpc's ssr option, 'offline' by default, can make it call during the render)`;
  return { connect: () => throwError(() => new TransportError(message, { retryable: false })) };
}
