import { filter, firstValueFrom, lastValueFrom } from 'rxjs';
import type { PeerOptions } from '../../lib/index';
import { loadLibrary } from '../library';
import type { Adapter, BenchClient } from './adapter';

type Through = 'request' | 'request$';

/** rx-jsonrpc over its Node WebSocket transport, with the peer's defaults unless `options` says otherwise. */
async function openPeer(url: string, options: PeerOptions, through: Through): Promise<BenchClient> {
  const { connect, webSocket } = loadLibrary();
  const rpc = connect(webSocket(url, { perMessageDeflate: false }), options);
  const state = await firstValueFrom(rpc.state$.pipe(filter((each) => each.status !== 'connecting')));
  if (state.status !== 'open') throw new Error(`rx-jsonrpc could not connect: ${state.status}`);
  return {
    request:
      through === 'request'
        ? (method, params) => rpc.request(method, params as never)
        : (method, params) => lastValueFrom(rpc.request$(method, params as never)),
    onNotification: (method, listener) => {
      const subscription = rpc.notifications$(method).subscribe(listener);
      return () => subscription.unsubscribe();
    },
    // The peer fails what is pending at once; the socket's closing handshake is not waited for.
    close: () => rpc.close(),
  };
}

export const rxRequest: Adapter = {
  key: 'rx-request',
  name: 'rx-jsonrpc request()',
  open: (url) => openPeer(url, {}, 'request'),
};

export const rxRequest$: Adapter = {
  key: 'rx-request$',
  name: 'rx-jsonrpc request$() + lastValueFrom',
  open: (url) => openPeer(url, {}, 'request$'),
};

export const rxBatching: Adapter = {
  key: 'rx-batching',
  name: 'rx-jsonrpc request(), batching: batchingCalls()',
  open: (url) => openPeer(url, { batching: loadLibrary().batchingCalls() }, 'request'),
};

/** Not a configuration to recommend: it shows what the per-call timeout timer costs. */
export const rxNoTimeout: Adapter = {
  key: 'rx-no-timeout',
  name: 'rx-jsonrpc request(), timeout: 0',
  open: (url) => openPeer(url, { timeout: 0 }, 'request'),
};
