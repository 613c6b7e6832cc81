// Server subscriptions as real servers run them: an Ethereum dev node only sends the events
// that happen after it answered the subscribe call, and an HTTP server can send none.
import { firstValueFrom, take, toArray } from 'rxjs';
import type { WebSocket } from 'ws';
import { connect, http, type Peer, subscription$, TransportError } from 'rx-jsonrpc';
import { webSocket } from 'rx-jsonrpc/node';
import { closeAllHttp, echoMethods, startHttpServer } from '../helpers/http-server';
import { closeAllWs, startWsServer } from '../helpers/ws-server';

const peers: Peer[] = [];
afterEach(async () => {
  for (const peer of peers.splice(0)) peer.close();
  await Promise.all([closeAllWs(), closeAllHttp()]);
});

interface Call {
  id: number;
  method: string;
}

/**
 * A dev node: `eth_subscribe` takes a moment, then makes the subscription live as it sends
 * the id; `evm_mine` mines a block at once, sent to the live subscriptions only.
 */
async function devNode() {
  const server = await startWsServer();
  let block = 0;
  server.server.on('connection', (socket: WebSocket) => {
    const live: string[] = [];
    socket.on('message', (data) => {
      const { id, method } = JSON.parse(String(data)) as Call;
      const answer = (result: unknown) => socket.send(JSON.stringify({ jsonrpc: '2.0', id, result }));
      if (method === 'eth_subscribe') {
        const subscription = `0x${id}`;
        setTimeout(() => {
          live.push(subscription);
          answer(subscription);
        }, 20);
      } else if (method === 'evm_mine') {
        block++;
        for (const subscription of live) {
          const params = { subscription, result: { number: block } };
          socket.send(JSON.stringify({ jsonrpc: '2.0', method: 'eth_subscription', params }));
        }
        answer(`0xblock${block}`);
      }
    });
  });
  const peer = connect(webSocket(server.url, { heartbeat: false }), { timeout: 2_000 });
  peers.push(peer);
  return peer;
}

const newHeads = { notification: 'eth_subscription', unsubscribe: 'eth_unsubscribe' };

describe('subscription$', () => {
  it('loses the block mined right after subscribing: the dev node drops events before its answer', async () => {
    const peer = await devNode();
    const heads: unknown[] = [];
    subscription$(peer, 'eth_subscribe', ['newHeads'], newHeads).subscribe((head) => heads.push(head));
    await peer.request('evm_mine');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(heads).toEqual([]);
  });

  it('calls subscribed once the subscription is active: the block mined there arrives', async () => {
    const peer = await devNode();
    const ids: unknown[] = [];
    const heads = firstValueFrom(
      subscription$(peer, 'eth_subscribe', ['newHeads'], {
        ...newHeads,
        subscribed: (id) => {
          ids.push(id);
          void peer.request('evm_mine');
        },
      }).pipe(take(1), toArray()),
    );
    expect(await heads).toEqual([{ number: 1 }]);
    expect(ids).toEqual(['0x1']);
  });

  it.each([
    ['an Error', new Error('not now')],
    ['a retryable TransportError', new TransportError('not now', { retryable: true })],
  ])('errors the stream with what subscribed throws: %s', async (_, failure) => {
    const peer = await devNode();
    const subscribed = () => {
      throw failure;
    };
    await expect(
      firstValueFrom(subscription$(peer, 'eth_subscribe', ['newHeads'], { ...newHeads, subscribed })),
    ).rejects.toBe(failure);
  });

  it('errors the stream with what result throws, and the peer lives on', async () => {
    const peer = await devNode();
    const failure = new TransportError('unreadable head', { retryable: true });
    const heads$ = subscription$(peer, 'eth_subscribe', ['newHeads'], {
      ...newHeads,
      result: () => {
        throw failure;
      },
      subscribed: () => void peer.request('evm_mine'),
    });
    await expect(firstValueFrom(heads$)).rejects.toBe(failure);
    await expect(peer.request('evm_mine')).resolves.toBe('0xblock2');
  });

  it('leaves nothing attached when an early notification ends the stream: the next subscription under the same id gets its own', async () => {
    // A server that pushes a notification before answering the subscribe call, always under id S1.
    const server = await startWsServer();
    server.server.on('connection', (socket: WebSocket) =>
      socket.on('message', (data) => {
        const { id, method } = JSON.parse(String(data)) as Call;
        if (method === 'sub') {
          const params = { subscription: 'S1', result: `early ${id}` };
          socket.send(JSON.stringify({ jsonrpc: '2.0', method: 'note', params }));
        }
        socket.send(JSON.stringify({ jsonrpc: '2.0', id, result: method === 'sub' ? 'S1' : true }));
      }),
    );
    const peer = connect(webSocket(server.url, { heartbeat: false }), { timeout: 2_000 });
    peers.push(peer);
    const options = { notification: 'note', unsubscribe: 'unsub' };
    const subscribed: unknown[] = [];
    const first = subscription$(peer, 'sub', [], { ...options, subscribed: (id) => subscribed.push(id) });
    expect(await firstValueFrom(first)).toBe('early 1');
    expect(subscribed).toEqual([]);
    expect(await firstValueFrom(subscription$(peer, 'sub', [], options))).toMatch(/^early /);
  });

  it('fails at once on a link the server cannot push on, calling nothing', async () => {
    const server = await startHttpServer(echoMethods);
    const peer = connect(http(server.url));
    peers.push(peer);
    const started = Date.now();
    const error = await firstValueFrom(subscription$(peer, 'eth_subscribe', ['newHeads'], newHeads)).catch(
      (e: unknown) => e,
    );
    expect(Date.now() - started).toBeLessThan(500);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({
      retryable: false,
      message: expect.stringMatching(/duplex: false.*poll with request\$/),
    });
    expect(server.received).toHaveLength(0);
  });
});
