/* eslint-disable @typescript-eslint/no-explicit-any -- the untyped proxy takes any arguments */
import type { Observable } from 'rxjs';
import { hasPlainPrototype } from '../protocol/guards';
import type { JsonRpcParams } from '../protocol/messages';
import type { IsUntyped, ParamsOf, Part, ResultOf, RpcApi, UntypedApi } from '../peer/api';
import type { AnyPeer, Peer } from '../peer/peer';

/** What every proxy node offers besides its methods and namespaces. */
export interface ProxyEscapes {
  /** Calls this node's method with exactly these params (an array, an object, or none). */
  $call(params?: JsonRpcParams): Observable<unknown>;
  /** Sends this node's method as a notification, params built by the same rule as a call. */
  $notify(...args: unknown[]): void;
}

/** The proxy of a peer that describes no API: any path, any arguments. */
export type UntypedProxy = ((...args: any[]) => Observable<unknown>) &
  ProxyEscapes & { readonly [name: string]: UntypedProxy };

type Head<K extends string> = K extends `${infer H}.${string}` ? H : K;
type Tail<K extends string, H extends string> = K extends `${H}.${infer T}` ? T : never;

/** A method as the proxy calls it: positional params spread into arguments, named params as one object. */
type ProxyMethod<F> = [ParamsOf<F>] extends [undefined]
  ? () => Observable<ResultOf<F>>
  : NonNullable<ParamsOf<F>> extends readonly unknown[]
    ? (...args: NonNullable<ParamsOf<F>>) => Observable<ResultOf<F>>
    : undefined extends ParamsOf<F>
      ? (params?: ParamsOf<F>) => Observable<ResultOf<F>>
      : (params: ParamsOf<F>) => Observable<ResultOf<F>>;

type Level<Calls> = {
  readonly [H in Head<keyof Calls & string>]: (H extends keyof Calls ? ProxyMethod<Calls[H]> : unknown) &
    ([Tail<keyof Calls & string, H>] extends [never]
      ? unknown
      : Level<{ [T in Tail<keyof Calls & string, H>]: Calls[`${H}.${T}` & keyof Calls] }>) &
    ProxyEscapes;
};

/** The namespace proxy of a peer, typed by its API's `calls` (with '.' as separator). */
export type ProxyOf<Api extends RpcApi> =
  IsUntyped<Part<Api, 'calls'>> extends true ? UntypedProxy : Level<Part<Api, 'calls'>>;

/**
 * The params of a proxy call: none for no arguments, the object itself for a single
 * plain object (named params), otherwise the arguments as an array (positional params).
 */
export function proxyParams(args: readonly unknown[]): JsonRpcParams | undefined {
  if (args.length === 0) return undefined;
  if (args.length === 1 && hasPlainPrototype(args[0])) return args[0];
  return args;
}

const inspect = Symbol.for('nodejs.util.inspect.custom');

/**
 * The namespace proxy of a peer: `api.app.users.get(7)` is
 * `rpc.request$('app.users.get', [7])`, a cold Observable (nothing is sent until it is
 * subscribed), typed by the peer's API. Arguments become positional params, except a single
 * plain object, which is sent as named params; `$call(params)` sends exact params and
 * `$notify(...)` sends a notification. Safe to pass around: it is not a thenable (`then` is
 * undefined at every level, so `await` sends nothing), symbols and printing (`console.log`,
 * `util.inspect`, Jest) send nothing. Reserved names: `then`, `toString`, `toJSON`, `valueOf`,
 * `$call`, `$notify`.
 * `separator` joins the names into the method name.
 *
 * @example
 * ```ts
 * const api = createProxy(rpc);
 * api.math.sum(1, 2).subscribe(console.log); // math.sum [1, 2]
 * api.users.find({ name: 'ada' }); // users.find {"name":"ada"}
 * api.users.find.$call([{ name: 'ada' }]); // users.find [{"name":"ada"}]
 * ```
 */
export function createProxy<Api extends RpcApi = UntypedApi>(peer: Peer<Api>, separator = '.'): ProxyOf<Api> {
  const target: AnyPeer = peer;
  // Lifetime: a node per property access; nodes hold only their path.
  const node = (path: string): UntypedProxy => {
    const describe = () => `[JSON-RPC proxy ${path || '(root)'}]`;
    const method = () => {
      if (path === '') throw new TypeError('The proxy itself is not a method: call proxy.someMethod()');
      return path;
    };
    // util.inspect looks at a proxy's target, not through its traps: the target describes itself.
    const target$ = Object.assign(function jsonRpcProxy() {}, { [inspect]: describe });
    return new Proxy(target$ as unknown as UntypedProxy, {
      apply: (_fn, _this, args: unknown[]) => target.request$(method(), proxyParams(args)),
      get: (_fn, key) => {
        if (typeof key === 'symbol') {
          if (key === Symbol.toPrimitive || key === inspect) return describe;
          return key === Symbol.toStringTag ? 'JsonRpcProxy' : undefined;
        }
        switch (key) {
          case 'then':
            return undefined;
          case 'toString':
          case 'toJSON':
          case 'valueOf':
            return describe;
          case '$call':
            return (params?: JsonRpcParams) => target.request$(method(), params);
          case '$notify':
            return (...args: unknown[]) => target.notify(method(), proxyParams(args));
          default:
            return node(path === '' ? key : `${path}${separator}${key}`);
        }
      },
    });
  };
  // The proxy's type is computed from the API; its value is the same untyped node.
  return node('') as ProxyOf<Api>;
}
