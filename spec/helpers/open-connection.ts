import { tap } from 'rxjs';
import type { Connection, Frame, Transport } from '../../lib/transports/transport';
import { observe, type Observed } from './observe';

/** An open connection, its `connect()` subscription and its incoming frames recorded from the start. */
export interface OpenConnection {
  readonly connection: Connection;
  /** The `connect()` subscription: unsubscribe it to close, await `error()` to see the link end. */
  readonly link: Observed<Connection>;
  /** The connection's frames, subscribed synchronously when it was emitted (so none are missed). */
  readonly frames: Observed<Frame>;
}

/** Connects `transport` and resolves once the connection is open; recorded subscriptions end with `stopObserving()`. */
export async function openConnection(transport: Transport): Promise<OpenConnection> {
  let frames: Observed<Frame> | undefined;
  const link = observe(transport.connect().pipe(tap((connection) => (frames = observe(connection.frames$)))));
  const connection = await link.next();
  return { connection, link, frames: frames! };
}
