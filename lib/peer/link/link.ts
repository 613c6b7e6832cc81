import { concatWith, defer, identity, tap, throwError, timeout, type Observable, type SchedulerLike } from 'rxjs';
import { ConnectionClosedError, TransportError, type RpcError } from '../../protocol/errors';
import type { Connection, Transport } from '../../transports/transport';

/**
 * One link of `transport` as a cold Observable: each subscription opens a link, emits it
 * once it is open, and errors when it ends, whatever the way it ends: dropped, refused,
 * not opened within `connectTimeout` ms (0 or Infinity: no limit), or completed by a
 * transport that does not error. `retry` (see `reconnectLinks`) makes it a stream of links.
 */
export function link$(transport: Transport, connectTimeout: number, clock: SchedulerLike): Observable<Connection> {
  return defer(() => {
    let opened = false;
    return transport.connect().pipe(
      openWithin(connectTimeout, clock),
      tap(() => (opened = true)),
      // Links end by erroring; a transport that completes instead has still ended its link.
      concatWith(defer(() => throwError(() => ended(opened)))),
    );
  });
}

/** Fails a link that is not open within `ms` (none for 0 or Infinity). */
function openWithin(ms: number, clock: SchedulerLike) {
  return ms > 0 && ms < Infinity
    ? timeout<Connection, Observable<never>>({
        first: ms,
        with: () => throwError(() => notOpened(`did not open a link within ${String(ms)} ms`)),
        scheduler: clock,
      })
    : identity;
}

function notOpened(what: string): TransportError {
  return new TransportError(`Could not connect: the transport ${what}`, { retryable: true });
}

/** The error of a transport that completed instead of erroring. */
function ended(opened: boolean): RpcError {
  return opened
    ? new ConnectionClosedError('The transport ended the link (its connect() completed)', { code: 1006 })
    : notOpened('completed without opening a link');
}
