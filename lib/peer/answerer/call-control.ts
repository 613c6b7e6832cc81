/** The cancellation of one call being answered, handed to its context. */
export class CallControl {
  private controller: AbortController | undefined;
  /** Why the call was given up before anyone read its signal: the signal is then made aborted. */
  private reason: Error | undefined;

  /** Aborted when the caller cancels the call or it is abandoned; made on first use. */
  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      // A handler that first looks after its call was given up must see it given up.
      if (this.reason !== undefined) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  abort(reason: string): void {
    const error = new Error(reason);
    if (this.controller === undefined) this.reason ??= error;
    else this.controller.abort(error);
  }
}
