/** What a response tells the session: its status and headers. */
interface Seen {
  readonly status: number;
  readonly headers?: { get(name: string): string | null };
}

// Visible ASCII, as MCP requires of a session id, and short: a header is no place for a flood.
const validId = /^[\x21-\x7e]{1,1024}$/;

/**
 * The session a server hands out in the response header `header` (`Mcp-Session-Id` in MCP):
 * kept from the first response that carries one, sent back on every later request, forgotten
 * when the server answers 404 to a request that carried it (the session has ended there).
 * One per connection: nothing of it is shared between connections.
 */
export class HttpSession {
  private id: string | undefined;

  constructor(private readonly header: string | undefined) {}

  /** The session id, once the server has given one. */
  get current(): string | undefined {
    return this.id;
  }

  /** `headers` with the session's header added, when there is a session. */
  add(headers: Record<string, string>): Record<string, string> {
    if (this.header !== undefined && this.id !== undefined) headers[this.header.toLowerCase()] = this.id;
    return headers;
  }

  /** Learns from a response to a request that was sent with `sent` as the session id. */
  learn(response: Seen, sent: string | undefined): void {
    if (this.header === undefined) return;
    if (response.status === 404 && sent !== undefined && sent === this.id) this.id = undefined;
    const given = response.headers?.get(this.header);
    if (given != null && validId.test(given)) this.id = given;
  }

  /** Forgets the session, returning the id it had (for the DELETE that ends it). */
  end(): string | undefined {
    const id = this.id;
    this.id = undefined;
    return id;
  }
}
