import type { JsonRpcId, JsonRpcParams } from '../protocol/messages';

/** A call the app made, held by {@link JsonRpcTestingController} until the test answers it. */
export interface TestCall {
  /** The method called. */
  readonly method: string;
  /** The params as the server would read them (parsed from the JSON sent), undefined when none. */
  readonly params: JsonRpcParams | undefined;
  /** The call's id. */
  readonly id: JsonRpcId;
  /** The name of the connection it was made on (`'default'` unless `provideJsonRpc({ name })`). */
  readonly connection: string;
  /** Whether the app abandoned the call (unsubscribed, or its timeout passed) before it was answered. */
  readonly cancelled: boolean;
  /**
   * Answers the call with `result` (`null` when left out), at once: the app's subscriber
   * receives it before `flush` returns. Throws if the call was answered already, or abandoned.
   */
  flush(result?: unknown): void;
  /** Answers the call with a JSON-RPC error, at once, as `flush` does. */
  error(code: number, message: string, data?: unknown): void;
}

/**
 * Which calls an expectation is about: a method name, a method and connection, or a
 * predicate over the call.
 */
export type CallMatch =
  | string
  | {
      /** The method called; any when left out. */
      readonly method?: string;
      /** The connection's name (`provideJsonRpc({ name })`); any when left out. */
      readonly connection?: string;
    }
  | ((call: TestCall) => boolean);

/**
 * Answers the app's calls in tests, in place of the server, as `HttpTestingController` does
 * for `HttpClient`. Provided by `provideJsonRpcTesting()`; get it with
 * `TestBed.inject(JsonRpcTestingController)`. Every connection of `provideJsonRpc()` talks to
 * it; the interceptors still run above it.
 *
 * Synchronous: a call the app subscribes to is here as soon as the subscription is made,
 * `flush()` delivers the answer before it returns, and `notify()` reaches the app's
 * `notifications$` before it returns (all in Angular's zone when zone.js is loaded). Only
 * what the app itself makes asynchronous needs waiting for: a handler returning a Promise
 * (await `request()`), automatic `batching` (its frame goes out a tick later), the view
 * (`await fixture.whenStable()`).
 *
 * @example
 * ```ts
 * import { TestBed } from '@angular/core/testing';
 * import { webSocket } from 'rx-jsonrpc';
 * import { JSON_RPC, JsonRpcTestingController, provideJsonRpc, provideJsonRpcTesting } from 'rx-jsonrpc/angular';
 *
 * TestBed.configureTestingModule({
 *   providers: [provideJsonRpc({ transport: webSocket('wss://api.example.org') }), provideJsonRpcTesting()],
 * });
 * const rpc = TestBed.inject(JSON_RPC);
 * const controller = TestBed.inject(JsonRpcTestingController);
 * rpc.request$('math.sum', [1, 2]).subscribe((sum) => console.log(sum));
 * controller.expectOne('math.sum').flush(3); // logs 3
 * controller.verify();
 * ```
 */
export abstract class JsonRpcTestingController {
  /**
   * The one call not yet expected that matches `match`, taken out of the waiting ones.
   * Throws, naming `description` (or the criterion) and listing the waiting calls, when
   * none or several match.
   */
  abstract expectOne(match: CallMatch, description?: string): TestCall;

  /** Every call not yet expected that matches `match`, taken out of the waiting ones (maybe none). */
  abstract match(match: CallMatch): TestCall[];

  /** Throws, as `expectOne` does, when any call not yet expected matches `match`. */
  abstract expectNone(match: CallMatch, description?: string): void;

  /**
   * Sends the app a notification of `method` with `params`, as the server of `connection`
   * would: it reaches the app's `notifications$(method)` before this returns. Throws when
   * that connection's peer is not connected (nothing has injected it yet, or it closed).
   */
  abstract notify(method: string, params?: JsonRpcParams, connection?: string): void;

  /**
   * Calls the app, as the server of `connection` would: its handler (`peer.handle(...)`)
   * runs, and the answer settles the Promise (rejected with `JsonRpcError` for an error
   * answer, "Method not found" when no handler serves `method`). Rejects when no peer of
   * `connection` is connected, for the reason `notify` throws.
   */
  abstract request(method: string, params?: JsonRpcParams, connection?: string): Promise<unknown>;

  /**
   * Throws when calls remain: calls no expectation took, calls taken but never answered,
   * and calls made to the app that it has not answered, each listed. Calls the app
   * abandoned count, unless `ignoreCancelled`. Call it at the end of a test (an `afterEach`).
   */
  abstract verify(options?: { readonly ignoreCancelled?: boolean }): void;
}
