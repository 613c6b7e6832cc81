import { Subject, type Observable } from 'rxjs';
import type { RpcError } from '../protocol/errors';
import type { Frame } from '../transports/transport';

/**
 * One entry of a peer's `trace$`: a frame that came in or went out, or a problem with
 * input that was reported on `errors$`. `at` is `Date.now()` when it happened.
 */
export type TraceEvent =
  | {
      /** A frame received. */
      readonly kind: 'in';
      /** The frame as it came. */
      readonly frame: Frame;
      /** When, as `Date.now()`. */
      readonly at: number;
    }
  | {
      /** A frame sent. */
      readonly kind: 'out';
      /** The frame as it went. */
      readonly frame: string;
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

/** The trace and error streams. Both cost nothing while nobody subscribes. */
export class Tracer {
  private readonly trace = new Subject<TraceEvent>();
  private readonly errors = new Subject<RpcError>();
  readonly trace$: Observable<TraceEvent> = this.trace.asObservable();
  readonly errors$: Observable<RpcError> = this.errors.asObservable();

  incoming(frame: Frame): void {
    if (this.trace.observed) this.trace.next({ kind: 'in', frame, at: Date.now() });
  }

  outgoing(frame: string): void {
    if (this.trace.observed) this.trace.next({ kind: 'out', frame, at: Date.now() });
  }

  /** Reports bad input or a failure that belongs to no caller. */
  report(error: RpcError): void {
    if (this.trace.observed) this.trace.next({ kind: 'error', error, at: Date.now() });
    this.errors.next(error);
  }

  complete(): void {
    this.trace.complete();
    this.errors.complete();
  }
}
