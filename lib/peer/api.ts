/* eslint-disable @typescript-eslint/no-explicit-any -- `any` marks the untyped defaults, where anything goes */
import type { Observable } from 'rxjs';
import type { JsonRpcNotification, JsonRpcParams } from '../protocol/messages';
import type { RequestOptions } from './options';

/**
 * Describes what travels between two peers, from one peer's side, so that the compiler
 * checks method names, params and results. Each part is optional; a part left out stays
 * untyped.
 *
 * @example
 * ```ts
 * interface ChatApi {
 *   calls: {
 *     'room.join': (params: { room: string }) => { members: string[] };
 *     'ping': () => 'pong';
 *   };
 *   serves: { 'ui.confirm': (params: [text: string]) => boolean };
 *   receives: { 'room.message': { from: string; text: string } };
 *   sends: { 'typing': [room: string] };
 * }
 * const rpc = connect<ChatApi>(transport);
 * ```
 */
export interface RpcApi {
  /** Methods this peer calls on the other side: `(params) => result`, or `() => result` without params. */
  readonly calls?: object;
  /** Methods this peer serves to the other side, in the same form. */
  readonly serves?: object;
  /** Notifications this peer receives: method → params (`undefined` for none). */
  readonly receives?: object;
  /** Notifications this peer sends: method → params (`undefined` for none). */
  readonly sends?: object;
}

/** The API of a peer that describes nothing: every name and value is allowed. */
export interface UntypedApi {
  /** Any method may be called, with any params, for any result. */
  readonly calls: {
    /** A method: `(params) => result`. */
    readonly [method: string]: (params?: any) => any;
  };
  /** Any method may be served. */
  readonly serves: {
    /** A method: `(params) => result`. */
    readonly [method: string]: (params?: any) => any;
  };
  /** Any notification may arrive, with any params. */
  readonly receives: { readonly [method: string]: any };
  /** Any notification may be sent. */
  readonly sends: { readonly [method: string]: any };
}

/** The same API seen from the other side: what one calls, the other serves. A part left out stays untyped. */
export interface Reversed<Api extends RpcApi> {
  /** What the other side serves is what this side calls. */
  readonly calls: Part<Api, 'serves'>;
  /** What the other side calls is what this side serves. */
  readonly serves: Part<Api, 'calls'>;
  /** What the other side sends is what this side receives. */
  readonly receives: Part<Api, 'sends'>;
  /** What the other side receives is what this side sends. */
  readonly sends: Part<Api, 'receives'>;
}

/** One part of an API, or the untyped part when it is left out. */
export type Part<Api extends RpcApi, K extends keyof RpcApi> = Api[K] extends object ? Api[K] : UntypedApi[K];

/** True when a part names no method in particular (an index signature). */
export type IsUntyped<Methods> = string extends keyof Methods ? true : false;

/** The params a method signature takes: undefined for `() => R`, `P | undefined` for `(params?: P) => R`. */
export type ParamsOf<F> = F extends (...args: infer A) => unknown
  ? A extends []
    ? undefined
    : A extends [infer P]
      ? P
      : A extends [(infer P)?]
        ? P | undefined
        : never
  : never;

/** The result of a method signature, Promise or not. */
export type ResultOf<F> = F extends (...args: any[]) => infer R ? Awaited<R> : never;

/** The arguments after the method name: params only when the method takes them, then options. */
export type ArgsOf<P, O> = [P] extends [undefined]
  ? [params?: undefined, options?: O]
  : undefined extends P
    ? [params?: P, options?: O]
    : [params: P, options?: O];

/** The method names of a part of an API. */
export type Names<Methods> = keyof Methods & string;

/** `request$` as typed by an API. */
export type Request$Fn<Api extends RpcApi> =
  IsUntyped<Part<Api, 'calls'>> extends true
    ? <R = unknown>(method: string, params?: JsonRpcParams, options?: RequestOptions) => Observable<R>
    : <M extends Names<Part<Api, 'calls'>>>(
        method: M,
        ...args: ArgsOf<ParamsOf<Part<Api, 'calls'>[M]>, RequestOptions>
      ) => Observable<ResultOf<Part<Api, 'calls'>[M]>>;

/** `request` as typed by an API. */
export type RequestFn<Api extends RpcApi> =
  IsUntyped<Part<Api, 'calls'>> extends true
    ? <R = unknown>(method: string, params?: JsonRpcParams, options?: RequestOptions) => Promise<R>
    : <M extends Names<Part<Api, 'calls'>>>(
        method: M,
        ...args: ArgsOf<ParamsOf<Part<Api, 'calls'>[M]>, RequestOptions>
      ) => Promise<ResultOf<Part<Api, 'calls'>[M]>>;

/** `notify` as typed by an API. */
export type NotifyFn<Api extends RpcApi> =
  IsUntyped<Part<Api, 'sends'>> extends true
    ? (method: string, params?: JsonRpcParams) => void
    : <M extends Names<Part<Api, 'sends'>>>(method: M, ...args: ArgsOf<Part<Api, 'sends'>[M], never>) => void;

/** `notifications$` as typed by an API: all notifications without a method, the params of one with. */
export type NotificationsFn<Api extends RpcApi> =
  IsUntyped<Part<Api, 'receives'>> extends true
    ? {
        (): Observable<JsonRpcNotification>;
        <P = unknown>(method: string): Observable<P>;
      }
    : {
        (): Observable<JsonRpcNotification>;
        <M extends Names<Part<Api, 'receives'>>>(method: M): Observable<Part<Api, 'receives'>[M]>;
      };
