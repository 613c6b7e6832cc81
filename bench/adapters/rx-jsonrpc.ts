import { filter, firstValueFrom, lastValueFrom } from 'rxjs';
import { WebSocket } from 'ws';
import type { PeerOptions, Transport, WebSocketConstructor } from '../../lib/index';
import { loadLibrary } from '../library';
import { rawSocket, type Adapter, type BenchClient } from './adapter';

/**
 * A `ws` WebSocket whose sends of one tick leave in one socket write (cork, then uncork
 * on the next tick): what the lead could build into the Node transport. Diagnostic only.
 */
class CorkingWebSocket extends WebSocket {
  constructor(address: string, protocols?: string | string[]) {
    super(address, protocols, { perMessageDeflate: false });
    const send = this.send.bind(this);
    let corked = false;
    const uncork = () => {
      corked = false;
      rawSocket(this).uncork();
    };
    this.send = ((data: string) => {
      if (!corked) {
        corked = true;
        rawSocket(this).cork();
        process.nextTick(uncork);
      }
      send(data);
    }) as WebSocket['send'];
  }
}

type Through = 'request' | 'request$';

/** rx-jsonrpc over its Node WebSocket transport (or `transport`), with the peer's defaults unless `options` says otherwise. */
async function openPeer(url: string, options: PeerOptions, through: Through, corking = false): Promise<BenchClient> {
  const { connect, webSocket, platformWebSocket } = loadLibrary();
  const transport: Transport = corking
    ? platformWebSocket(url, { WebSocket: CorkingWebSocket as unknown as WebSocketConstructor })
    : webSocket(url, { perMessageDeflate: false });
  const rpc = connect(transport, options);
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
  name: 'rx-jsonrpc request(), batching: true',
  open: (url) => openPeer(url, { batching: true }, 'request'),
};

/** Not a configuration to recommend: it shows what the per-call timeout timer costs. */
export const rxNoTimeout: Adapter = {
  key: 'rx-no-timeout',
  name: 'rx-jsonrpc request(), timeout: 0',
  open: (url) => openPeer(url, { timeout: 0 }, 'request'),
};

/** What coalescing one tick's writes would give the library's Node transport. */
export const rxCorking: Adapter = {
  key: 'rx-cork',
  name: 'rx-jsonrpc request(), corking WebSocket',
  open: (url) => openPeer(url, {}, 'request', true),
};

/** Both changes together: no per-call timer and coalesced writes. */
export const rxCorkingNoTimeout: Adapter = {
  key: 'rx-cork-no-timeout',
  name: 'rx-jsonrpc request(), corking + timeout: 0',
  open: (url) => openPeer(url, { timeout: 0 }, 'request', true),
};
