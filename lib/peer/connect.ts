import type { Transport } from '../transports/transport';
import type { RpcApi, UntypedApi } from './api';
import type { PeerOptions } from './options';
import type { Peer } from './peer';
import type { PeerHooks } from './peer-hooks';
import { PeerParts } from './peer-parts';

export type { PeerHooks } from './peer-hooks';

/**
 * Creates a peer over `transport` and starts connecting at once. Calls made before the
 * link is open wait for it. Give an `Api` (see `RpcApi`) to have method names, params
 * and results checked by the compiler.
 *
 * @example
 * ```ts
 * import { connect } from 'rx-jsonrpc';
 * import { webSocket } from 'rx-jsonrpc/node';
 *
 * const rpc = connect(webSocket('ws://127.0.0.1:8080'), { timeout: 5_000 });
 * const sum = await rpc.request<number>('math.sum', [1, 2]);
 * rpc.notifications$('chat.message').subscribe((params) => console.log(params));
 * ```
 */
export function connect<Api extends RpcApi = UntypedApi>(transport: Transport, options: PeerOptions = {}): Peer<Api> {
  return connectPeer<Api>(transport, options);
}

/**
 * `connect()` with `hooks`: `serve()` forgets a closed peer through `onClosed`, and hears its
 * handlers fail through `onHandlerError`, which cost nothing per peer where a subscription
 * to `state$` or `errors$` costs about 600 bytes.
 */
export function connectPeer<Api extends RpcApi = UntypedApi>(
  transport: Transport,
  options: PeerOptions,
  hooks: PeerHooks = {},
): Peer<Api> {
  return new PeerParts(transport, options, hooks).peer as unknown as Peer<Api>;
}
