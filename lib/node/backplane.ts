/**
 * The seam between `serve()` and a publish/subscribe engine that carries broadcasts between
 * server processes: {@link redisBackplane} for Redis; NATS or Postgres LISTEN/NOTIFY fit the
 * same three methods. One backplane serves one server (one `serve()` or `serveHttp()`).
 *
 * Delivery is at most once, as pub/sub is: what is published while the engine is
 * unreachable is lost, never queued (`publish` rejects at once instead), so that an outage
 * cannot grow the heap.
 */
export interface Backplane {
  /**
   * Starts receiving what every process publishes (this one's too: the server skips its own).
   * Resolves once a message published from then on will arrive; `serve()` waits for it.
   * Errors of the engine (lost connection, reconnect attempts) go to `listener.error`; the
   * engine reconnects by itself.
   */
  listen(listener: BackplaneListener): Promise<void>;
  /**
   * Sends `text` to every process listening. Rejects when it cannot be sent now (the engine
   * is not connected): the server reports that on `errors$`.
   */
  publish(text: string): Promise<void>;
  /** Stops receiving and lets go of the engine's clients' listeners (it does not close the clients: they are yours). */
  close(): Promise<void>;
}

/** What a {@link Backplane} calls when a message arrives and when its engine fails. */
export interface BackplaneListener {
  /** A message some process published (the text given to its `publish`). */
  message(text: string): void;
  /** A failure of the engine; it reconnects by itself. */
  error(error: Error): void;
}
