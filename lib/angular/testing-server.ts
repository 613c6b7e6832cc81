import type { NgZone } from '@angular/core';
import { Observable, Subject } from 'rxjs';
import { JsonRpcError, TransportError } from '../protocol/errors';
import { isFailure, isJsonRpcId, isNotification, isRequest, isSuccess } from '../protocol/guards';
import type { JsonRpcId, JsonRpcParams } from '../protocol/messages';
import type { Connection, Frame, Transport } from '../transports/transport';
import type { JsonRpcBackendLink } from './backend';
import type { TestCall } from './testing-controller';

/** The notification the app's peer sends when it abandons a call, here only. */
const abandoned = 'rx-jsonrpc-testing/abandoned';

/** A call the test made to the app, waiting for the app's answer. */
interface AppCall {
  readonly method: string;
  resolve(result: unknown): void;
  reject(error: unknown): void;
}

/**
 * The server end of one connection under `provideJsonRpcTesting()`: a transport that links at
 * once and hands every frame over synchronously both ways, so that a call is seen as it is
 * made and an answer delivered as it is flushed.
 */
export class TestingServer {
  // Lifetime: from the peer's connect() until its link closes; a new connect() replaces it.
  private frames: Subject<Frame> | undefined;
  private readonly appCalls = new Map<JsonRpcId, AppCall>();
  /** The app's calls not answered yet: whether the app abandoned each. */
  private readonly open = new Map<JsonRpcId, { cancelled: boolean }>();
  private lastId = 0;

  constructor(
    private readonly name: string,
    /** Told of each call the app makes. */
    private readonly onCall: (call: TestCall) => void,
    /** Angular's zone, where frames arrive, as a socket's do under zone.js. */
    private readonly zone: NgZone | null,
  ) {}

  /** What the app's peer of this connection gets: the transport, and a cancel notification to tell abandoned calls. */
  get link(): JsonRpcBackendLink {
    return { transport: this.transport, options: { cancel: { method: abandoned, params: (id) => ({ id }) } } };
  }

  private readonly transport: Transport = {
    connect: () =>
      new Observable<Connection>((subscriber) => {
        // A second peer of one connection (two injectors providing it) would silently take its
        // answers from the first: it fails to link instead, saying why.
        if (this.frames !== undefined) {
          subscriber.error(
            new TransportError(
              `Connection '${this.name}' already has a peer under provideJsonRpcTesting(): one peer per connection ` +
                '(is it provided by two injectors? give each a name)',
              { retryable: false },
            ),
          );
          return undefined;
        }
        const frames = new Subject<Frame>();
        this.frames = frames;
        const close = () => {
          if (this.frames !== frames) return;
          this.frames = undefined;
          frames.complete();
          for (const [id, call] of this.appCalls) {
            this.appCalls.delete(id);
            call.reject(
              new Error(`The app's peer of connection '${this.name}' closed before answering ${call.method}`),
            );
          }
        };
        subscriber.next({
          info: { transport: 'testing' },
          frames$: frames,
          send: (frame) => this.receive(frame),
          close,
        });
        return close;
      }),
  };

  /** Descriptions of the calls made to the app that it has not answered. */
  get unanswered(): string[] {
    return Array.from(this.appCalls, ([id, call]) => `${call.method} (id ${String(id)}) made to the app, unanswered`);
  }

  /** Sends `message` to the app, in Angular's zone if there is one. */
  send(message: object): void {
    const frames = this.frames;
    if (frames === undefined) {
      throw new Error(
        `No peer of connection '${this.name}' is connected: inject it first (a component or service that injects it), and send before it closes`,
      );
    }
    const text = JSON.stringify(message);
    if (this.zone === null) frames.next(text);
    else this.zone.run(() => frames.next(text));
  }

  /** Calls the app's handler of `method`; settles with its answer. */
  request(method: string, params: JsonRpcParams | undefined): Promise<unknown> {
    const id = `test-${++this.lastId}`;
    return new Promise((resolve, reject) => {
      this.appCalls.set(id, { method, resolve, reject });
      try {
        this.send({ jsonrpc: '2.0', id, method, params });
      } catch (error) {
        this.appCalls.delete(id);
        throw error;
      }
    });
  }

  /** A frame the app's peer wrote: its calls go to the controller, its answers to the test's calls. */
  private receive(frame: string): void {
    const parsed: unknown = JSON.parse(frame);
    for (const message of Array.isArray(parsed) ? parsed : [parsed]) {
      if (isRequest(message) && message.id !== null) {
        const { id, method, params } = message;
        const state = { cancelled: false };
        this.open.set(id, state);
        const answer = (outcome: object) => {
          if (this.open.get(id) !== state) throw new Error(`Call ${String(id)} (${method}) was answered already`);
          if (state.cancelled)
            throw new Error(`Call ${String(id)} (${method}) cannot be answered: the app abandoned it`);
          this.open.delete(id);
          this.send({ jsonrpc: '2.0', id, ...outcome });
        };
        this.onCall({
          method,
          params,
          id,
          connection: this.name,
          get cancelled() {
            return state.cancelled;
          },
          flush: (result = null) => answer({ result }),
          error: (code, text, data) =>
            answer({ error: data === undefined ? { code, message: text } : { code, message: text, data } }),
        });
      } else if (isSuccess(message) || isFailure(message)) {
        const call = message.id === null ? undefined : this.appCalls.get(message.id);
        if (call === undefined || message.id === null) continue;
        this.appCalls.delete(message.id);
        if (isSuccess(message)) call.resolve(message.result);
        else {
          const { code, message: text, data } = message.error;
          call.reject(new JsonRpcError(code, text, data, { method: call.method, id: message.id }));
        }
      } else if (isNotification(message) && message.method === abandoned) {
        const id = idOf(message.params);
        const state = id === undefined ? undefined : this.open.get(id);
        if (state !== undefined) state.cancelled = true;
      }
      // The app's own notifications need no answer.
    }
  }
}

/** The id in the params of the notice of an abandoned call. */
function idOf(params: unknown): JsonRpcId | undefined {
  return typeof params === 'object' && params !== null && 'id' in params && isJsonRpcId(params.id)
    ? params.id
    : undefined;
}
