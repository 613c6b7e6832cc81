import type { Connection, Frame, Transport } from '../../lib/transports/transport';
import { openConnection } from './open-connection';

/** One end of a link driven by hand: it sends raw text and reads raw frames, with no peer in between. */
export interface RawEnd {
  readonly connection: Connection;
  /** Sends text as is, or an object as JSON. */
  send(message: string | object): void;
  /** Resolves with the next frame received (parsed as JSON), in order. */
  next(): Promise<unknown>;
  /** Every frame received so far, as text. */
  readonly received: Frame[];
  /** Closes this end. */
  close(): void;
}

/** Connects to `transport` and drives the connection by hand. */
export async function rawEnd(transport: Transport): Promise<RawEnd> {
  const { connection, link, frames } = await openConnection(transport);
  return {
    connection,
    received: frames.values,
    send: (message) => connection.send(typeof message === 'string' ? message : JSON.stringify(message)),
    next: async () => {
      const frame = await frames.next();
      return JSON.parse(typeof frame === 'string' ? frame : new TextDecoder().decode(frame));
    },
    close: () => {
      frames.unsubscribe();
      link.unsubscribe();
    },
  };
}

/** Resolves after the frames already sent over a memory link have been delivered. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
