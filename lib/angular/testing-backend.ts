import type { NgZone } from '@angular/core';
import type { JsonRpcParams } from '../protocol/messages';
import type { JsonRpcBackendLink } from './backend';
import { JsonRpcTestingController, type CallMatch, type TestCall } from './testing-controller';
import { TestingServer } from './testing-server';
import { defaultConnection } from './tokens';

/** A call as the messages of the controller name it. */
const describe = (call: TestCall) =>
  `${call.method} (id ${String(call.id)}, connection '${call.connection}'${call.cancelled ? ', abandoned by the app' : ''})`;

/** Whether `call` meets `match`. */
function meets(call: TestCall, match: CallMatch): boolean {
  if (typeof match === 'function') return match(call);
  if (typeof match === 'string') return call.method === match;
  return (
    (match.method === undefined || call.method === match.method) &&
    (match.connection === undefined || call.connection === match.connection)
  );
}

/** What a criterion is called in a failure's message when the test gave no description. */
function criterion(match: CallMatch): string {
  if (typeof match === 'function') return 'a predicate';
  if (typeof match === 'string') return `method ${match}`;
  return Object.entries(match)
    .map(([key, value]) => `${key} ${value}`)
    .join(', ');
}

/**
 * The `JsonRpcTestingController` that `provideJsonRpcTesting()` provides: it holds one
 * {@link TestingServer} per connection name, and the calls made on all of them.
 */
export class TestingBackend extends JsonRpcTestingController {
  private readonly servers = new Map<string, TestingServer>();
  /** Calls no expectation has taken yet. */
  private waiting: TestCall[] = [];
  /** Calls an expectation took, until they are answered. */
  private readonly taken = new Set<TestCall>();

  constructor(private readonly zone: NgZone | null) {
    super();
  }

  /** The link of the peers of `connection`. */
  link(connection: string): JsonRpcBackendLink {
    return this.server(connection).link;
  }

  expectOne(match: CallMatch, description?: string): TestCall {
    const found = this.match(match);
    const [call] = found;
    if (found.length === 1 && call !== undefined) return call;
    // Put them back: a failed expectation takes nothing.
    for (const each of found) this.taken.delete(each);
    this.waiting.unshift(...found);
    throw new Error(
      `Expected one matching JSON-RPC call for ${description ?? criterion(match)}, found ${found.length}${this.listing()}`,
    );
  }

  match(match: CallMatch): TestCall[] {
    const found = this.waiting.filter((call) => meets(call, match));
    this.waiting = this.waiting.filter((call) => !found.includes(call));
    for (const call of found) this.taken.add(call);
    return found;
  }

  expectNone(match: CallMatch, description?: string): void {
    const found = this.waiting.filter((call) => meets(call, match));
    if (found.length > 0) {
      throw new Error(
        `Expected no matching JSON-RPC calls for ${description ?? criterion(match)}, found ${found.length}: ${found.map(describe).join(', ')}`,
      );
    }
  }

  notify(method: string, params?: JsonRpcParams, connection = defaultConnection): void {
    this.server(connection).send({ jsonrpc: '2.0', method, params });
  }

  request(method: string, params?: JsonRpcParams, connection = defaultConnection): Promise<unknown> {
    return this.server(connection).request(method, params);
  }

  verify(options: { readonly ignoreCancelled?: boolean } = {}): void {
    const counts = (call: TestCall) => options.ignoreCancelled !== true || !call.cancelled;
    const open = [
      ...this.waiting.filter(counts).map((call) => `${describe(call)}, never expected`),
      ...Array.from(this.taken)
        .filter(counts)
        .map((call) => `${describe(call)}, expected but never answered`),
      ...Array.from(this.servers.values(), (server) => server.unanswered).flat(),
    ];
    if (open.length > 0)
      throw new Error(`Expected no open JSON-RPC calls, found ${open.length}:\n  ${open.join('\n  ')}`);
  }

  private server(connection: string): TestingServer {
    let server = this.servers.get(connection);
    if (server === undefined) {
      server = new TestingServer(connection, (call) => this.waiting.push(this.tracked(call)), this.zone);
      this.servers.set(connection, server);
    }
    return server;
  }

  /** `call`, leaving the expected ones when it is answered. */
  private tracked(call: TestCall): TestCall {
    const settled = (answer: () => void) => {
      answer();
      this.taken.delete(tracked);
      this.waiting = this.waiting.filter((each) => each !== tracked);
    };
    const tracked: TestCall = {
      method: call.method,
      params: call.params,
      id: call.id,
      connection: call.connection,
      get cancelled() {
        return call.cancelled;
      },
      flush: (result) => settled(() => call.flush(result)),
      error: (code, message, data) => settled(() => call.error(code, message, data)),
    };
    return tracked;
  }

  /** The calls still waiting, for a failure's message. */
  private listing(): string {
    return this.waiting.length === 0 ? '' : `; the calls waiting: ${this.waiting.map(describe).join(', ')}`;
  }
}
