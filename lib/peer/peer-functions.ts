import type { Subscription } from 'rxjs';
import type { JsonRpcParams } from '../protocol/messages';
import type { HandlerRegistry } from './answerer/handlers';
import type { Calls } from './caller/calls';
import type { NotificationRouter } from './incoming/notifications';
import type { PeerConnection } from './link/connection';
import type { Outbox } from './link/outbox';
import { sendTogether } from './link/together';
import type { CloseOptions, HandleAllOptions, HandleOptions } from './options';
import type { Handler, HandlerTree, Peer } from './peer';
import type { PeerFunctionName } from './peer-object';
import type { RpcError } from '../protocol/errors';

/** What a peer's functions are made from (see `PeerParts`). */
export interface FunctionParts {
  readonly notifications: NotificationRouter;
  readonly handlers: HandlerRegistry;
  readonly connection: PeerConnection;
  readonly outbox: Outbox;
  readonly notify: (method: string, params?: JsonRpcParams) => void;
  readonly report: (error: RpcError) => void;
  /** The calling side, made at the first call. */
  calls(): Calls;
  close(options?: CloseOptions): Promise<void>;
}

/** Makes the peer's function `name` from its `parts`: called once per name, at its first read. */
export function peerFunction<K extends PeerFunctionName>(parts: FunctionParts, name: K): Peer[K] {
  // the functions are untyped; Peer<Api> types them by the API, which is the caller's promise
  return untypedFunction(parts, name) as Peer[K];
}

function untypedFunction(parts: FunctionParts, name: PeerFunctionName): unknown {
  switch (name) {
    case 'request$':
      return parts.calls().request$;
    case 'request':
      return parts.calls().request;
    case 'notify':
      return (method: string, params?: JsonRpcParams) => parts.notify(method, params);
    case 'report':
      return (error: RpcError) => parts.report(error);
    case 'notifications$':
      // one function for both overloads of NotificationsFn
      return (method?: string) => (method === undefined ? parts.notifications.all$ : parts.notifications.of(method));
    case 'handle':
      // a typed handler takes the params its API says; the registry holds untyped ones
      return (method: string, handler: Handler, handleOptions?: HandleOptions) =>
        parts.handlers.register(method, handler, handleOptions);
    case 'handleAll':
      return (methods: HandlerTree, handleOptions?: HandleAllOptions) =>
        parts.handlers.registerAll(methods, handleOptions);
    case 'sendTogether':
      return (start: () => Subscription) => sendTogether(parts.connection, parts.outbox, start);
    case 'close':
      return (closeOptions?: CloseOptions) => parts.close(closeOptions);
  }
}
