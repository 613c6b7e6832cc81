import type { Subscription } from 'rxjs';
import type { Connection, Frame, Transport } from '../../lib/transports/transport';

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
  let subscription: Subscription | undefined;
  const connection = await new Promise<Connection>((resolve, reject) => {
    subscription = transport.connect().subscribe({ next: resolve, error: reject });
  });
  const received: Frame[] = [];
  const waiting: ((frame: Frame) => void)[] = [];
  let read = 0;
  connection.frames$.subscribe((frame) => {
    received.push(frame);
    const waiter = waiting.shift();
    if (waiter !== undefined) {
      read++;
      waiter(frame);
    }
  });
  return {
    connection,
    received,
    send: (message) => connection.send(typeof message === 'string' ? message : JSON.stringify(message)),
    next: async () => {
      const frame =
        read < received.length ? received[read++]! : await new Promise<Frame>((resolve) => waiting.push(resolve));
      return JSON.parse(typeof frame === 'string' ? frame : new TextDecoder().decode(frame));
    },
    close: () => subscription?.unsubscribe(),
  };
}

/** Resolves after the frames already sent over a memory link have been delivered. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
