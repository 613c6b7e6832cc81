// A call cut short by a WebSocket close says what the close code means when it is a standard
// one, after the code and the reason: real `ws` servers on 127.0.0.1, port 0, closing with each.
import { once } from 'node:events';
import { filter, firstValueFrom } from 'rxjs';
import type { WebSocket } from 'ws';
import { connect, ConnectionClosedError, reconnecting, type Peer, type PeerState } from 'rx-jsonrpc';
import { webSocket } from 'rx-jsonrpc/node';
import { failureOf } from '../helpers/peer-ends';
import { closeAllWs, startWsServer } from '../helpers/ws-server';

const peers: Peer[] = [];

afterEach(async () => {
  for (const peer of peers.splice(0)) peer.close();
  await closeAllWs();
});

/** Makes a call, has the server close its socket with `close` once the call arrives; resolves with the call's error and the link's. */
async function cutShort(close: (socket: WebSocket) => void) {
  const { url, accepted } = await startWsServer();
  const peer = connect(webSocket(url, { heartbeat: false }), { reconnect: reconnecting({ delay: () => [] }) });
  peers.push(peer);
  const dropped = firstValueFrom(
    peer.state$.pipe(filter((state) => state.status !== 'connecting' && state.status !== 'open')),
  );
  const call = failureOf(peer.request('work'));
  const { socket } = await accepted();
  await once(socket, 'message');
  close(socket);
  const link = (await dropped) as Extract<PeerState, { status: 'reconnecting' | 'closed' }>;
  return { call: (await call) as ConnectionClosedError, link: link.error!, url };
}

describe('a call cut short by a close', () => {
  it.each([
    [1001, 'Server shutting down', 'going away'],
    [1008, 'Origin not allowed', 'policy violation'],
    [1009, 'too large', 'message too big'],
    [1011, 'database down', 'internal error'],
    [1012, 'deploying', 'service restart'],
    [1013, 'overloaded', 'try again later'],
  ])('with %i says what the code means after the code and the reason', async (code, reason, meaning) => {
    const { call, link, url } = await cutShort((socket) => socket.close(code, reason));
    expect(call).toBeInstanceOf(ConnectionClosedError);
    expect(call).toMatchObject({
      message: `Request 1 (work) failed: connection closed (${code}: ${reason}): ${meaning}`,
      code,
      reason,
    });
    expect(link.message).toBe(`Connection to ${url} closed (${code}: ${reason}): ${meaning}`);
  });

  it('with no close frame (1006) says the network dropped or the other side died', async () => {
    const { call, link, url } = await cutShort((socket) => socket.terminate());
    const meaning = 'no close frame: the network dropped or the other side died';
    expect(call).toMatchObject({
      message: `Request 1 (work) failed: connection closed (1006): ${meaning}`,
      code: 1006,
    });
    expect(link.message).toBe(`Connection to ${url} closed (1006): ${meaning}`);
  });

  it.each([
    [1000, 'done'],
    [1003, 'text only'],
    [4000, 'custom'],
  ])('with %i, normal, a code of a broken client or an application code, adds nothing', async (code, reason) => {
    const { call } = await cutShort((socket) => socket.close(code, reason));
    expect(call).toMatchObject({ message: `Request 1 (work) failed: connection closed (${code}: ${reason})`, code });
  });
});
