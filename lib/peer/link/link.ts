import { Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { ConnectionClosedError, TransportError, type RpcError } from '../../protocol/errors';
import type { Connection, Transport } from '../../transports/transport';

/**
 * One link of `transport` as a cold Observable: each subscription opens a link, emits it
 * once it is open, runs `use` on it for its life (its frames, its liveness: `use` calls
 * `fail` to end the link with an error), and errors when it ends, whatever the way it ends:
 * dropped, refused, not opened within `connectTimeout` ms (0 or Infinity: no limit), or
 * completed by a transport that does not error. `retry` (see `Reconnect.retryLinks`) makes it
 * a stream of links.
 *
 * Written by hand rather than as a pipe of operators: a server holds one per connection,
 * and each operator of a pipe is a subscriber and closures of its own (about 5 KiB a link).
 */
export function link$(
  transport: Transport,
  connectTimeout: number,
  clock: SchedulerLike,
  use?: (connection: Connection, fail: (error: unknown) => void) => Subscription,
): Observable<Connection> {
  return new Observable<Connection>((subscriber) => {
    let opened = false;
    let using: Subscription | undefined;
    const fail = (error: unknown) => subscriber.error(error);
    let timer =
      connectTimeout > 0 && connectTimeout < Infinity
        ? clock.schedule(
            () => fail(notOpened(`did not open a link within ${String(connectTimeout)} ms`)),
            connectTimeout,
          )
        : undefined;
    const links = transport.connect().subscribe({
      next: (connection) => {
        opened = true;
        timer?.unsubscribe();
        // Let go of it: the link lives long, a timer that has done its work need not.
        timer = undefined;
        // A transport emits one link per connect(); a second one replaces the first.
        using?.unsubscribe();
        subscriber.next(connection);
        if (use === undefined || subscriber.closed) return;
        try {
          using = use(connection, fail);
        } catch (error) {
          // A link that cannot be used (a connection without frames$, say) has failed: not the process.
          return fail(error);
        }
        // `use` may have ended the link at once, before there was a `using` to tear down.
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- use() may call fail()
        if (subscriber.closed) using.unsubscribe();
      },
      error: fail,
      // Links end by erroring; a transport that completes instead has still ended its link.
      complete: () => fail(ended(opened)),
    });
    return () => {
      timer?.unsubscribe();
      using?.unsubscribe();
      links.unsubscribe();
    };
  });
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
