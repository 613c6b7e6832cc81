/** The cancellation of one call being answered, handed to its context. */
export class CallControl {
  private controller: AbortController | undefined;

  /** Aborted when the caller cancels the call or it is abandoned; made on first use. */
  get signal(): AbortSignal {
    return (this.controller ??= new AbortController()).signal;
  }

  abort(reason: string): void {
    this.controller?.abort(new Error(reason));
  }
}
