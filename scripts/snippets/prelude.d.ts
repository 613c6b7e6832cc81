// The stage every code snippet of README.md, docs/ and the TSDoc examples stands on: values a
// snippet uses without defining because the surrounding text has set them up. See CONTRIBUTING.md.
// Keep it small: a name belongs here when several snippets assume it; otherwise define it in the snippet.
import type { InjectionToken } from '@angular/core';
import type { Observable } from 'rxjs';
import type { Authenticate, JsonRpcServer, SetupPeer } from 'rx-jsonrpc/node';
import type { IncomingRequest, Peer, Transport } from 'rx-jsonrpc';

declare global {
  /** A client peer, untyped (`connect(transport)`). */
  const rpc: Peer;
  /** The peer of one connection, as a server's `setup` or a test receives it. */
  const peer: Peer;
  /** A running `serve()`. */
  const server: JsonRpcServer;
  /** Any transport (`webSocket(url)`, `memoryPair().client`...). */
  const transport: Transport;
  /** A WebSocket URL. */
  const url: string;
  /** A server's per-connection setup. */
  const setup: SetupPeer;
  /** A server's `authenticate` option. */
  const authenticate: Authenticate;

  // The examples' own domain.
  interface User {
    readonly id: number;
    readonly name: string;
  }
  interface Chat {
    readonly from: string;
    readonly text: string;
  }
  /** Login tokens to user names. */
  const users: ReadonlyMap<string, string>;
  /** Checks that every value is a number (throws otherwise) and returns them. */
  function numbers(...values: unknown[]): number[];
  /** A stream of prices for a symbol. */
  function prices$(symbol: string): Observable<number>;
  /** File names, for the handlers that list and delete them. */
  const files: Set<string>;
  /** A block header, as `eth_subscribe` sends it. */
  interface Block {
    readonly number: string;
  }
  /** Identifiers, values and callbacks the text around a snippet describes. */
  const id: string;
  const token: string;
  const draft: unknown;
  const cachedPrice: number;
  function show(value: unknown): void;
  function showProgress(value: unknown): void;
  /** A progress bar. */
  const bar: { set(percent: number): void };
  /** Slow work a handler does, step by step. */
  function renderPage(id: number, page: number, options: { signal: AbortSignal }): Promise<void>;
  /** Work that answers an unhandled request. */
  function work(request: IncomingRequest): Observable<unknown>;

  // Angular apps: a root component, a URL token and the APIs of two servers.
  class App {}
  const PRICES_URL: InjectionToken<string>;
  interface PricesApi {
    calls: { 'price.quote': (params: { symbol: string }) => number };
    receives: { 'price.tick': { symbol: string; price: number } };
  }
  type QuotesApi = PricesApi;
}
