import type { RpcError } from '../protocol/errors';
import type { JsonRpcNotification, JsonRpcParams, JsonRpcRequest } from '../protocol/messages';
import type { ConnectionInfo } from '../transports/transport';
import type { CallControl } from './call-control';
import type { Dialect } from './dialect';
import type { HandlerContext } from './peer';
import type { Peer } from './peer';

/** What the contexts of one peer's handlers are made of. */
export interface HandlerContextSetup {
  readonly peer: () => Peer;
  readonly connection: () => ConnectionInfo | undefined;
  readonly session: Record<string, unknown>;
  readonly dialect: Dialect;
  readonly notify: (method: string, params?: JsonRpcParams) => void;
  readonly report: (error: RpcError) => void;
}

/**
 * Makes the context handed to the handler of one call: the peer, the call, the link, the
 * session, the call's abort signal, and a progress reporter that speaks the dialect (and
 * does nothing when the caller asked for no progress).
 */
export function handlerContext(
  setup: HandlerContextSetup,
  call: JsonRpcRequest | JsonRpcNotification,
  control: CallControl,
): HandlerContext {
  const progress = setup.dialect.progress;
  const token = 'id' in call ? progress?.tokenOf(call.params) : undefined;
  return {
    peer: setup.peer(),
    method: call.method,
    id: 'id' in call ? call.id : undefined,
    connection: setup.connection(),
    session: setup.session,
    get signal() {
      return control.signal;
    },
    progress: (value) => {
      if (progress === undefined || token === undefined) return;
      try {
        setup.notify(progress.method, progress.notification(token, value));
      } catch (error) {
        // notify() throws only RpcErrors
        setup.report(error as RpcError);
      }
    },
  };
}
