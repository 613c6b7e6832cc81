import { Subscription } from 'rxjs';
import { hasPlainPrototype } from '../../protocol/guards';
import type { HandleAllOptions, HandleOptions } from '../options';
import type { Handler, HandlerTree } from '../peer';

/**
 * The registered handlers, by method, in a Map: `__proto__` or `toString` are ordinary names.
 * A peer's own are looked up first, then those of `shared` (a server's methods, one table
 * for all its peers); the Map is made at the first `register`, so a peer that registers
 * nothing of its own holds none.
 */
export class HandlerRegistry {
  private handlers: Map<string, Handler> | undefined;

  constructor(private readonly shared?: HandlerRegistry) {}

  get(method: string): Handler | undefined {
    return this.handlers?.get(method) ?? this.shared?.get(method);
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
    const handlers = (this.handlers ??= new Map());
    handlers.set(method, handler);
    return new Subscription(() => {
      if (handlers.get(method) === handler) handlers.delete(method);
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
          // typeof narrows to Function; a function of a handler tree is a handler
          registrations.add(this.register(method, (value as Handler).bind(tree), options));
        } else if (hasPlainPrototype(value)) {
          registrations.add(this.registerAll(value, options, method + separator));
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
