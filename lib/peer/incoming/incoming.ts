import type { Observable } from 'rxjs';
import { feedOf, type Feed } from '../../transports/feed';
import type { MessageKind } from '../../protocol/parse';
import type { IncomingMessage } from '../peer';

/** The stream behind `Peer.incoming$`: built only while someone listens. */
export class IncomingStream {
  // Made when first asked for: most peers' incoming messages are read by nobody.
  private subject: Feed<IncomingMessage> | undefined;
  private ended = false;

  /** Every message as it arrives, before the peer acts on it. Hot; completes when the peer closes. */
  get incoming$(): Observable<IncomingMessage> {
    return (this.subject = feedOf(this.subject, this.ended));
  }

  /** Emits one message, if anybody listens: without listeners it costs one property read. */
  push(kind: MessageKind, message: unknown, inBatch: boolean): void {
    // The kind was read from the message by classify(): it is the shape the union says.
    if (this.subject?.observed === true) this.subject.next({ kind, message, inBatch } as IncomingMessage);
  }

  /** Completes the stream (the peer closed). */
  complete(): void {
    this.ended = true;
    this.subject?.complete();
  }
}
