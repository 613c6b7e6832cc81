// Real servers answer a notification they cannot read or accept with an error whose id is
// null, and some refuse a whole batch the same way. An error without an id fails a batch of
// ours only when nothing else explains it (docs/servers-in-the-wild.md).
import { filter, firstValueFrom, map } from 'rxjs';
import type { WebSocket } from 'ws';
import {
  batch,
  connect,
  type FrameEnded,
  memoryPair,
  type Peer,
  reconnecting,
  type RpcError,
  type Transport,
  TransportError,
} from 'rx-jsonrpc';
import { webSocket } from 'rx-jsonrpc/node';
import { rawEnd } from '../helpers/raw-end';
import { closeAllWs, startWsServer } from '../helpers/ws-server';

interface Message {
  id?: number | null;
  method?: string;
}

interface ServerRules {
  /** Refuses every batch with one error without an id, with this message. */
  readonly refuseBatches?: string;
  /** Milliseconds before a batch is answered. */
  readonly batchDelay?: number;
  /** Milliseconds before a forbidden notification is refused (an authorisation check). */
  readonly refusalDelay?: number;
}

const peers: Peer[] = [];
afterEach(async () => {
  for (const peer of peers.splice(0)) peer.close();
  await closeAllWs();
});

const send = (socket: WebSocket, message: unknown) => socket.send(JSON.stringify(message));

/**
 * A server that answers `forbidden` notifications at once with an error without an id
 * (as servers that check authorisation per message do), and calls with their method name.
 */
async function strictServer(rules: ServerRules = {}) {
  const server = await startWsServer();
  const answer = (message: Message) => ({ jsonrpc: '2.0', id: message.id, result: message.method });
  server.server.on('connection', (socket) => {
    socket.on('message', (data) => {
      const parsed = JSON.parse(String(data)) as Message | Message[];
      if (!Array.isArray(parsed)) {
        if (parsed.id === undefined) {
          if (parsed.method === 'forbidden') {
            const refuse = () =>
              send(socket, { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Unauthorized' } });
            setTimeout(refuse, rules.refusalDelay ?? 0);
          }
        } else send(socket, answer(parsed));
        return;
      }
      if (rules.refuseBatches !== undefined) {
        send(socket, { jsonrpc: '2.0', id: null, error: { code: -32600, message: rules.refuseBatches } });
        return;
      }
      const answers = parsed.filter((m) => m.id !== undefined).map(answer);
      setTimeout(() => send(socket, answers), rules.batchDelay ?? 0);
    });
  });
  const peer = connect(webSocket(server.url, { heartbeat: false }), { timeout: 5_000 });
  peers.push(peer);
  const reported: string[] = [];
  peer.errors$.subscribe((e: RpcError) => reported.push(e.message));
  await firstValueFrom(peer.state$.pipe(filter((s) => s.status === 'open')));
  return { peer, reported };
}

const answered = (method: string) => ({ ok: true, value: method });

describe('an error without an id', () => {
  it('answering a notification sent while a batch is in flight leaves the batch to its own answer', async () => {
    const { peer, reported } = await strictServer({ batchDelay: 100 });
    const outcomes = batch(peer, (b) => [b.request('a'), b.request('b')]);
    await new Promise((resolve) => setTimeout(resolve, 10));
    peer.notify('forbidden');
    expect(await outcomes).toEqual([answered('a'), answered('b')]);
    expect(reported).toEqual(['Error response without an id: -32600 Unauthorized']);
  });

  it('answering a notification sent just before a batch leaves the batch to its own answer', async () => {
    const { peer, reported } = await strictServer();
    peer.notify('forbidden');
    expect(await batch(peer, (b) => [b.request('a'), b.request('b')])).toEqual([answered('a'), answered('b')]);
    expect(reported).toEqual(['Error response without an id: -32600 Unauthorized']);
  });

  it('answering a notification sent after a batch leaves the batch alone, even from a server that answers out of order', async () => {
    const { peer, reported } = await strictServer({ batchDelay: 100, refusalDelay: 30 });
    const outcomes = batch(peer, (b) => [b.request('a'), b.request('b')]);
    await new Promise((resolve) => setTimeout(resolve, 10));
    peer.notify('forbidden');
    // Answered before the refusal arrives: it proves nothing about the notification after the batch.
    expect(await peer.request('status')).toBe('status');
    expect(await outcomes).toEqual([answered('a'), answered('b')]);
    expect(reported).toEqual(['Error response without an id: -32600 Unauthorized']);
  });

  it('refusing a batch with a notification in it fails the batch at once: that notification is the batch’s', async () => {
    const { peer } = await strictServer({ refuseBatches: 'Invalid Request' });
    const started = Date.now();
    const [note, a] = await batch(peer, (b) => [b.notify('initialized'), b.request('a')]);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(note).toEqual({ ok: true, value: undefined });
    expect(a).toMatchObject({ ok: false, error: { code: -32600 } });
  });

  it('refuses our batch when no notification can explain it: the batch fails at once', async () => {
    const { peer, reported } = await strictServer({ refuseBatches: 'Invalid Request' });
    // A notification the server accepted: a call sent after it is answered, so it was read.
    peer.notify('initialized');
    expect(await peer.request('initialize')).toBe('initialize');
    const started = Date.now();
    const [a, b] = await batch(peer, (b) => [b.request('a'), b.request('b')]);
    expect(Date.now() - started).toBeLessThan(1_000);
    for (const member of [a, b]) expect(member).toMatchObject({ ok: false, error: { code: -32600 } });
    expect(reported[0]).toMatch(/^Error response without an id: -32600 Invalid Request; taken as refusing our oldest/);
  });

  it('that names a batch is the batch refused, even with a notification unread', async () => {
    const { peer, reported } = await strictServer({ refuseBatches: 'Batch requests are not supported' });
    peer.notify('initialized');
    const [a] = await batch(peer, (b) => [b.request('a'), b.request('b')]);
    expect(a).toMatchObject({ ok: false, error: { code: -32600, remoteMessage: 'Batch requests are not supported' } });
    expect(reported[0]).toMatch(/taken as refusing our oldest unanswered batch/);
  });

  /**
   * A peer that reconnects, to a server that refuses every batch with an error without an id
   * and drops the link at a `hangup` notification, which it reads and never answers.
   */
  async function hangingUpServer() {
    const server = await startWsServer();
    server.server.on('connection', (socket) => {
      socket.on('message', (data) => {
        const parsed = JSON.parse(String(data)) as Message | Message[];
        if (Array.isArray(parsed))
          send(socket, { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Invalid Request' } });
        else if (parsed.method === 'hangup') socket.terminate();
      });
    });
    const peer = connect(webSocket(server.url, { heartbeat: false }), {
      timeout: 3_000,
      reconnect: reconnecting({ delay: () => [0] }),
    });
    peers.push(peer);
    await firstValueFrom(peer.state$.pipe(filter((s) => s.status === 'open')));
    // The first notification this peer sends, before any call of its own.
    peer.notify('hangup');
    await firstValueFrom(peer.state$.pipe(filter((s) => s.status === 'reconnecting')));
    return peer;
  }

  /** Expects a batch made now to fail at once: the refusal is its own. */
  async function refusedAtOnce(peer: Peer) {
    const started = Date.now();
    const [a] = await batch(peer, (b) => [b.request('a'), b.request('b')]);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(a).toMatchObject({ ok: false, error: { code: -32600 } });
  }

  it('is not explained by a notification sent on an earlier link', async () => {
    const peer = await hangingUpServer();
    await firstValueFrom(peer.state$.pipe(filter((s) => s.status === 'open')));
    await refusedAtOnce(peer);
  });

  it('is not explained by a notification sent on an earlier link, for a batch made while the link is down', async () => {
    // Made before the next link opens: its calls wait for it.
    await refusedAtOnce(await hangingUpServer());
  });

  it('is not explained by a notification that could not be written', async () => {
    const link = memoryPair();
    const raw = await rawEnd(link.server);
    // The client's link refuses to write one notification, as a full send buffer does.
    const refusing: Transport = {
      connect: () =>
        link.client.connect().pipe(
          map((connection) => ({
            ...connection,
            send: (frame: string, ended?: FrameEnded) => {
              if (frame.includes('"unwritable"')) throw new TransportError('Send buffer full');
              return connection.send(frame, ended);
            },
          })),
        ),
    };
    const peer = connect(refusing, { timeout: 5_000 });
    peers.push(peer);
    const reported: string[] = [];
    peer.errors$.subscribe((e) => reported.push(e.message));
    await firstValueFrom(peer.state$.pipe(filter((state) => state.status === 'open')));
    peer.notify('unwritable');
    const outcomes = batch(peer, (b) => [b.request('a')]);
    await raw.next();
    raw.send({ jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Invalid Request' } });
    expect(await outcomes).toEqual([{ ok: false, error: expect.objectContaining({ code: -32600 }) }]);
    expect(reported[0]).toBe('Send buffer full');
  });
});
