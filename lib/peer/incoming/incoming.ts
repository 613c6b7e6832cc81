import { Subject, type Observable } from 'rxjs';
import type { JsonRpcNotification, JsonRpcRequest, JsonRpcResponse } from '../../protocol/messages';
import type { MessageKind } from '../../protocol/parse';

/**
 * One incoming message, classified once, as `Peer.incoming$` emits it: a response to one
 * of this peer's calls, a request or a notification for it, or something invalid (malformed
 * JSON-RPC, or not JSON-RPC at all). The members of a batch come one by one.
 */
export type IncomingMessage = (
  | {
      /** An answer to one of this peer's calls. */
      readonly kind: 'response';
      /** The response, as parsed. */
      readonly message: JsonRpcResponse;
    }
  | {
      /** A call to this peer. */
      readonly kind: 'request';
      /** The request, as parsed. */
      readonly message: JsonRpcRequest;
    }
  | {
      /** A notification to this peer. */
      readonly kind: 'notification';
      /** The notification, as parsed. */
      readonly message: JsonRpcNotification;
    }
  | {
      /** Not a valid JSON-RPC message: the peer answers, salvages or reports it as usual. */
      readonly kind: 'invalid';
      /** What arrived, as parsed JSON. */
      readonly message: unknown;
    }
) & {
  /** Whether it came as a member of a batch (an array frame). */
  readonly inBatch: boolean;
};

/** The stream behind `Peer.incoming$`: built only while someone listens. */
export class IncomingStream {
  private readonly subject = new Subject<IncomingMessage>();

  /** Every message as it arrives, before the peer acts on it. Hot; completes when the peer closes. */
  readonly incoming$: Observable<IncomingMessage> = this.subject.asObservable();

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
