import type { Observable } from 'rxjs';
import type { RpcError } from '../protocol/errors';
import type { Frame } from '../transports/transport';
import { feedOf, type Feed } from '../transports/feed';

/**
 * One entry of a peer's `trace$`: a frame that came in or went out, or a problem with
 * input that was reported on `errors$`. `at` is `Date.now()` when it happened.
 */
export type TraceEvent =
  | {
      /** A frame received. */
      readonly kind: 'in';
      /** The frame as it came; for a message that came as an object, its JSON text, as far as JSON can show it. */
      readonly frame: Frame;
      /** The message (or a batch's array) itself, when it came as an object: see `Transport.serialize`. */
      readonly message?: object;
      /** When, as `Date.now()`. */
      readonly at: number;
    }
  | {
      /** A frame sent. */
      readonly kind: 'out';
      /** The frame as it went; for a message handed over as an object, its JSON text, as far as JSON can show it. */
      readonly frame: string;
      /** The message (or a batch's array) itself, when it went as an object: see `Transport.serialize`. */
      readonly message?: object;
      /** When, as `Date.now()`. */
      readonly at: number;
    }
  | {
      /** Bad input or a failure, as reported on `errors$`. */
      readonly kind: 'error';
      /** What went wrong. */
      readonly error: RpcError;
      /** When, as `Date.now()`. */
      readonly at: number;
    };

/** Where a part reports what went wrong (an object: no closure of each peer). */
export interface Reporter {
  report(error: RpcError): void;
}

/** The trace and error streams. Both cost nothing while nobody subscribes. */
export class Tracer implements Reporter {
  // Each made when first asked for: a server's peers are mostly never traced or listened to.
  private trace: Feed<TraceEvent> | undefined;
  private errors: Feed<RpcError> | undefined;
  private ended = false;

  get trace$(): Observable<TraceEvent> {
    return (this.trace = feedOf(this.trace, this.ended));
  }

  get errors$(): Observable<RpcError> {
    return (this.errors = feedOf(this.errors, this.ended));
  }

  incoming(frame: Frame): void {
    if (this.trace?.observed === true) this.trace.next({ kind: 'in', frame, at: Date.now() });
  }

  /** A message that came as an object, from a transport that does not serialize. */
  incomingMessage(message: object): void {
    if (this.trace?.observed === true) this.trace.next({ kind: 'in', frame: shown(message), message, at: Date.now() });
  }

  outgoing(frame: string | object): void {
    const trace = this.trace;
    if (trace?.observed !== true) return;
    const at = Date.now();
    trace.next(
      typeof frame === 'string' ? { kind: 'out', frame, at } : { kind: 'out', frame: shown(frame), message: frame, at },
    );
  }

  /** Reports bad input or a failure that belongs to no caller. */
  report(error: RpcError): void {
    if (this.trace?.observed === true) this.trace.next({ kind: 'error', error, at: Date.now() });
    this.errors?.next(error);
  }

  complete(): void {
    this.ended = true;
    this.trace?.complete();
    this.errors?.complete();
  }
}

/** The JSON text of a message handed over as an object, for reading, or '' when JSON cannot write it. */
function shown(message: object): string {
  try {
    // undefined only from a toJSON() that gives it, which its type does not say
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
    return JSON.stringify(message) ?? '';
  } catch {
    return '';
  }
}
