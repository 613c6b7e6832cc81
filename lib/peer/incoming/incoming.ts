import type { Observable } from 'rxjs';
import { Feed } from '../../transports/feed';
import type { MessageKind } from '../../protocol/parse';
import type { IncomingMessage } from '../peer';

/** The stream behind `Peer.incoming$`: built only while someone listens. */
export class IncomingStream {
  private readonly subject = new Feed<IncomingMessage>();

  /** Every message as it arrives, before the peer acts on it. Hot; completes when the peer closes. */
  readonly incoming$: Observable<IncomingMessage> = this.subject;

  /** Emits one message, if anybody listens: without listeners it costs one property read. */
  push(kind: MessageKind, message: unknown, inBatch: boolean): void {
    // The kind was read from the message by classify(): it is the shape the union says.
    if (this.subject.observed) this.subject.next({ kind, message, inBatch } as IncomingMessage);
  }

  /** Completes the stream (the peer closed). */
  complete(): void {
    this.subject.complete();
  }
}
