import {
  DestroyRef,
  inject,
  Injector,
  makeEnvironmentProviders,
  NgZone,
  runInInjectionContext,
  type EnvironmentProviders,
} from '@angular/core';
import { connect } from '../peer/connect';
import type { RpcApi, UntypedApi } from '../peer/api';
import type { Interceptor, PeerOptions } from '../peer/options';
import type { Peer } from '../peer/peer';
import type { Transport } from '../transports/transport';
import { JSON_RPC_BACKEND } from './backend';
import type { JsonRpcFeature } from './features';
import { serverRendering, type JsonRpcSsr } from './server-rendering';
import { defaultConnection, jsonRpcToken } from './tokens';

/** What `provideJsonRpc()` needs to make one connection. */
export interface JsonRpcConfig<Api extends RpcApi = UntypedApi> {
  /**
   * The connection's name, for apps that talk to several servers: inject its peer with
   * `injectJsonRpc(name)` or `inject(jsonRpcToken(name))`.
   * @default the default connection (`injectJsonRpc()`, `inject(JSON_RPC)`)
   */
  readonly name?: string;
  /**
   * The link: a transport (`webSocket(url)`, `http(url)`, `memoryPair().client`...), or a
   * function that returns one. The function runs in an injection context when the peer
   * is made, so it may `inject()` what it needs (a URL token, an auth service).
   */
  readonly transport: Transport | (() => Transport);
  /**
   * Options of `connect()`: timeout, reconnect (`reconnecting()`), batching, heartbeat (`heartbeatCalls()`)...
   * @default {} (see `peerDefaults`)
   */
  readonly options?: PeerOptions;
  /**
   * Runs once, in an injection context, right after the peer is made: the place to
   * register the handlers of calls the server makes to the app (`peer.handle(...)`)
   * with services from `inject()`.
   * @default nothing
   */
  readonly setup?: (peer: Peer<Api>) => void;
  /**
   * What the connection does while the app renders on the server (Angular SSR, prerendering),
   * where a socket would outlive the request and hold its render. Ignored in the browser.
   * - `'offline'`: the peer opens no link. It is closed from the start (`state$` says
   *   `closed`, its error a `TransportError` naming SSR), so each call fails at once with a
   *   non-retryable `ConnectionClosedError` that says why, and `notify()` throws it: the
   *   render never waits for it, and the browser makes the calls.
   * - `'connect'`: the peer links with `transport` and `options`, as in the browser. Each call
   *   holds the render (as a pending task, zoneless or not) until it ends, as `HttpClient`'s
   *   requests do, so the HTML has its answer; the call's `timeout` bounds the wait.
   * - `{ transport, options? }`: as `'connect'`, with this transport (an `http()` to an absolute
   *   URL, say), and these options laid over the connection's.
   *
   * The peer is closed with the render's injector either way.
   * @default 'offline'
   */
  readonly ssr?: JsonRpcSsr;
}

/**
 * Provides a JSON-RPC peer to an application, a route or a test, in the style of
 * `provideHttpClient()`. The peer is made lazily, the first time something injects it,
 * in the injector where these providers are declared; it is closed (code 1000, every
 * pending call failing with a non-retryable `ConnectionClosedError`, every stream
 * completing) when that injector is destroyed. Use it once per connection; give each
 * extra connection a `name`.
 *
 * The peer is made inside Angular's zone when zone.js is loaded, so the transport's
 * callbacks (a WebSocket's messages, reconnect timers) run change detection as any
 * browser event does. Zoneless apps need nothing more: the `async` pipe and signals
 * (`toSignal`) mark their views for check when a value arrives.
 *
 * While the app renders on the server, the peer opens no link and its calls fail at once,
 * unless the connection's `ssr` option says how to call from there (see {@link JsonRpcConfig.ssr}).
 *
 * @example
 * ```ts
 * bootstrapApplication(App, {
 *   providers: [
 *     provideZonelessChangeDetection(),
 *     provideJsonRpc({ transport: webSocket('wss://api.example.org/rpc'), options: { reconnect: reconnecting() } }),
 *     provideJsonRpc({ name: 'prices', transport: () => webSocket(inject(PRICES_URL)) }),
 *   ],
 * });
 * ```
 */
export function provideJsonRpc<Api extends RpcApi = UntypedApi>(
  config: JsonRpcConfig<Api>,
  ...features: JsonRpcFeature[]
): EnvironmentProviders {
  return makeEnvironmentProviders([
    { provide: jsonRpcToken<Api>(config.name), useFactory: () => createPeer(config, features) },
  ]);
}

/** Makes the peer of `config`; runs in the injection context of the injector that provides it. */
function createPeer<Api extends RpcApi>(config: JsonRpcConfig<Api>, features: readonly JsonRpcFeature[]): Peer<Api> {
  const name = config.name ?? defaultConnection;
  const backend = inject(JSON_RPC_BACKEND, { optional: true });
  // The testing backend wins, on the server too: a test may render there against the controller.
  const server = backend === null ? serverRendering(config.ssr, name) : undefined;
  const linked = backend?.(name) ?? server?.link;
  const transport =
    linked?.transport ?? (typeof config.transport === 'function' ? config.transport() : config.transport);
  const own = linked === undefined ? config.options : { ...config.options, ...linked.options };
  // Outermost: a call holds the render through every interceptor's retries.
  const held = server?.hold === undefined ? own : { ...own, interceptors: [server.hold, ...(own?.interceptors ?? [])] };
  let destroyed = false;
  const options = withFeatures(held, features, inject(Injector), () => destroyed);
  // The first inject() may come from code running outside the zone; the link's callbacks
  // belong inside it, whatever the caller did. Without zone.js this is a plain call, and an
  // injector with no NgZone at all (no platform: a plain environment injector) needs none.
  const zone = inject(NgZone, { optional: true });
  const make = () => connect<Api>(transport, options);
  // On the server, the link's own timers (pings, reconnects) must not keep the render from
  // ending: only its calls hold it, as pending tasks (see serverRendering()).
  const peer = zone === null ? make() : server === undefined ? zone.run(make) : zone.runOutsideAngular(make);
  inject(DestroyRef).onDestroy(() => {
    destroyed = true;
    void peer.close();
  });
  try {
    config.setup?.(peer);
  } catch (error) {
    // The injector keeps nothing a failing factory made: nobody else could close this peer.
    void peer.close();
    throw error;
  }
  return peer;
}

/**
 * `options` with the interceptors of `features` after its own, each run in `injector`'s
 * injection context; once it is `destroyed`, calls go straight to the closed peer, which
 * fails them with its own error (a destroyed injector would throw NG0205 instead).
 */
function withFeatures(
  options: PeerOptions | undefined,
  features: readonly JsonRpcFeature[],
  injector: Injector,
  destroyed: () => boolean,
): PeerOptions | undefined {
  const added = features.flatMap((feature) => feature.interceptors);
  if (added.length === 0) return options;
  const inContext = added.map(
    (interceptor): Interceptor =>
      (call, next) =>
        destroyed() ? next(call) : runInInjectionContext(injector, () => interceptor(call, next)),
  );
  return { ...options, interceptors: [...(options?.interceptors ?? []), ...inContext] };
}
