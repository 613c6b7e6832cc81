import { Subscription, type Observable } from 'rxjs';
import type { JsonRpcError } from '../protocol/errors';
import { hasPlainPrototype } from '../protocol/guards';
import type { JsonRpcErrorObject, JsonRpcId, JsonRpcParams } from '../protocol/messages';
import type { ConnectionInfo } from '../transports/transport';
import type { Peer } from './peer';

/** What a handler receives besides the params. */
export interface HandlerContext {
  /** The peer that received the call: use it to call back or notify the caller. */
  readonly peer: Peer;
  /** The method called. */
  readonly method: string;
  /** The request's id; undefined when the call is a notification (its result is ignored). */
  readonly id: JsonRpcId | null | undefined;
  /** Facts about the link the call came over (for a server: the upgrade request's headers, address...). */
  readonly connection: ConnectionInfo | undefined;
  /**
   * State kept for the life of the peer (one connection on a server), shared by all its
   * handlers: the place for the identity a `login` call establishes.
   */
  readonly session: Record<string, unknown>;
  /**
   * Aborted when the caller cancels the call (its dialect's cancel notification), when the
   * call times out (`handlerTimeout`), or when the link to the caller is lost: stop the work.
   */
  readonly signal: AbortSignal;
  /**
   * Reports progress to the caller, if the call asked for it (its params carry the
   * dialect's progress token); otherwise does nothing.
   */
  progress(value: unknown): void;
}

/**
 * Serves one method. Receives the params as sent (an array, an object, or undefined) and
 * returns the result: a value, a Promise, or an Observable (its first value; no value
 * answers null). Throwing or rejecting with a `JsonRpcError` answers with that error;
 * anything else answers -32603 Internal error without details.
 */
export type Handler<P = unknown, R = unknown> = (
  params: P,
  context: HandlerContext,
) => R | PromiseLike<R> | Observable<R>;

/**
 * Methods to serve, as a plain object whose nested plain objects are namespaces:
 * `{ math: { sum } }` serves `math.sum`. Any other kind of value is refused, so that
 * nothing is exposed by accident.
 */
export interface HandlerTree {
  readonly [name: string]: Handler<never, unknown> | HandlerTree;
}

/** Options of `handle()` and `handleAll()`. */
export interface HandleOptions {
  /**
   * Allows method names beginning with `rpc.`, which the specification reserves for
   * extensions (for example OpenRPC's `rpc.discover`).
   * @default false
   */
  readonly reserved?: boolean;
}

/** Options of `handleAll()`. */
export interface HandleAllOptions extends HandleOptions {
  /**
   * What joins a namespace and a name.
   * @default '.'
   */
  readonly separator?: string;
}

/**
 * A request that no handler serves, as `requests$` emits it. Answer it once with
 * `respond()` or `respondError()`; later answers are ignored.
 */
export interface IncomingRequest {
  /** The request's id. */
  readonly id: JsonRpcId | null;
  /** The method called. */
  readonly method: string;
  /** The params, as received. */
  readonly params: JsonRpcParams | undefined;
  /** Answers with a result (undefined is sent as null). */
  respond(result: unknown): void;
  /** Answers with an error. */
  respondError(error: JsonRpcError | JsonRpcErrorObject): void;
}

/** The registered handlers, by method, in a Map: `__proto__` or `toString` are ordinary names. */
export class HandlerRegistry {
  private readonly handlers = new Map<string, Handler>();

  /** The methods served now. */
  get methods(): string[] {
    return [...this.handlers.keys()];
  }

  get(method: string): Handler | undefined {
    return this.handlers.get(method);
  }

  /** Registers `handler` for `method`, replacing any other; unsubscribe to remove it. */
  register(method: string, handler: Handler, options: HandleOptions = {}): Subscription {
    if (typeof method !== 'string' || method === '')
      throw new TypeError('handle(): the method must be a non-empty string');
    if (typeof handler !== 'function') throw new TypeError(`handle(${method}): the handler must be a function`);
    if (method.startsWith('rpc.') && options.reserved !== true)
      throw new TypeError(
        `handle(${method}): names beginning with "rpc." are reserved (pass { reserved: true } to serve one)`,
      );
    this.handlers.set(method, handler);
    return new Subscription(() => {
      if (this.handlers.get(method) === handler) this.handlers.delete(method);
    });
  }

  /**
   * Registers every function of `tree` under its path; functions are bound to the object
   * that holds them, so methods of a service object keep their `this`.
   */
  registerAll(tree: HandlerTree, options: HandleAllOptions = {}, prefix = ''): Subscription {
    const separator = options.separator ?? '.';
    const registrations = new Subscription();
    try {
      for (const [name, value] of Object.entries(tree)) {
        const method = prefix + name;
        if (typeof value === 'function') {
          registrations.add(this.register(method, (value as Handler).bind(tree), options));
        } else if (hasPlainPrototype(value)) {
          registrations.add(this.registerAll(value as HandlerTree, options, method + separator));
        } else {
          throw new TypeError(`handleAll(): ${method} is neither a function nor a plain object of methods`);
        }
      }
    } catch (error) {
      // All or nothing: a half-registered service is worse than none.
      registrations.unsubscribe();
      throw error;
    }
    return registrations;
  }
}
