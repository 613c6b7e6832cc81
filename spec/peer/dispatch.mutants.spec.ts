// The dispatcher's limits and binary policy, the queue of notifications while the link is down,
// the request concurrency limit and the reconnect policy's reading of failures, each asserted
// exactly over a memory link. (Written to kill mutants that no other suite reached without a real
// socket; see docs/mutation.md.)
import { Subject } from 'rxjs';
import { ConnectionClosedError, ProtocolError, TransportError } from 'rx-jsonrpc';
import { reconnectable, reconnectPolicy } from '../../lib/peer/reconnect';
import { closeAll, peerWithRawServer } from '../helpers/memory-peers';
import { observe } from '../helpers/observe';
import { rawEnd, settle } from '../helpers/raw-end';

afterEach(closeAll);

type Call = { jsonrpc: '2.0'; id: number; method: string; params?: unknown };

describe('incoming batches over maxBatchSize', () => {
  it('are answered with one Invalid Request (id null) and reported with the size and the limit', async () => {
    const { peer, raw } = await peerWithRawServer({ maxBatchSize: 2 });
    const reported = observe(peer.errors$);
    let calls = 0;
    peer.handle('m', () => ++calls);
    const member = (id: number) => ({ jsonrpc: '2.0', id, method: 'm' });
    raw.send([member(1), member(2), member(3)]);
    expect(await raw.next()).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32600, message: 'Invalid Request' },
    });
    expect(calls).toBe(0);
    expect(reported.values[0]).toBeInstanceOf(ProtocolError);
    expect(reported.values[0]!.message).toBe('Invalid request: a batch of 3 exceeds maxBatchSize (2)');
    raw.send([member(4), member(5)]);
    expect(await raw.next()).toEqual([
      { jsonrpc: '2.0', id: 4, result: 1 },
      { jsonrpc: '2.0', id: 5, result: 2 },
    ]);
  });
});

describe('binary frames', () => {
  const bytes = (text: string) => new TextEncoder().encode(text);

  it('are reported and ignored by default', async () => {
    const { peer, raw } = await peerWithRawServer();
    const reported = observe(peer.errors$);
    peer.handle('m', () => 'answered');
    raw.connection.send(bytes('{"jsonrpc":"2.0","id":1,"method":"m"}') as never);
    await settle();
    expect(raw.received).toEqual([]);
    expect(reported.values.map((e) => e.message)).toEqual([
      "Binary frame of 37 bytes ignored: JSON-RPC frames are text (binaryFrames: 'utf8' decodes them)",
    ]);
  });

  it("are decoded as UTF-8 with binaryFrames: 'utf8'", async () => {
    const { peer, raw } = await peerWithRawServer({ binaryFrames: 'utf8' });
    peer.handle('m', () => 'answered');
    raw.connection.send(bytes('{"jsonrpc":"2.0","id":1,"method":"m"}') as never);
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', id: 1, result: 'answered' });
  });

  it("are reported, with the decoder's error as cause, when they are not UTF-8", async () => {
    const { peer, raw } = await peerWithRawServer({ binaryFrames: 'utf8' });
    const reported = observe(peer.errors$);
    raw.connection.send(new Uint8Array([0x7b, 0xff, 0xfe]) as never);
    await settle();
    expect(raw.received).toEqual([]);
    expect(reported.values).toHaveLength(1);
    expect(reported.values[0]).toBeInstanceOf(ProtocolError);
    expect(reported.values[0]!.message).toBe('Binary frame of 3 bytes is not UTF-8');
    // Node's TextDecoder throws a TypeError of the host realm, not of the test's.
    expect((reported.values[0]!.cause as Error).name).toBe('TypeError');
  });
});

describe('notifications sent while the link is down', () => {
  async function downPeer(notificationQueue: number) {
    const again = new Subject<void>();
    const { peer, raw, link } = await peerWithRawServer({ notificationQueue, reconnect: { delay: () => again } });
    const reported = observe(peer.errors$);
    link.drop(1006);
    await settle();
    const reopen = async () => {
      const reopened = await rawEnd(link.server);
      again.next();
      await settle();
      return reopened;
    };
    return { peer, raw, reported, reopen };
  }

  it('wait in order and go out when the link is back', async () => {
    const { peer, reopen } = await downPeer(5);
    peer.notify('note', [1]);
    peer.notify('note', [2]);
    const reopened = await reopen();
    expect(await reopened.next()).toEqual({ jsonrpc: '2.0', method: 'note', params: [1] });
    expect(await reopened.next()).toEqual({ jsonrpc: '2.0', method: 'note', params: [2] });
  });

  it('drop the oldest beyond notificationQueue, and say so', async () => {
    const { peer, reported, reopen } = await downPeer(2);
    for (const n of [1, 2, 3]) peer.notify('note', [n]);
    expect(reported.values.map((e) => [e.name, e.message])).toEqual([
      ['TransportError', 'A queued notification was dropped: more than 2 wait'],
    ]);
    const reopened = await reopen();
    expect(await reopened.next()).toEqual({ jsonrpc: '2.0', method: 'note', params: [2] });
    expect(await reopened.next()).toEqual({ jsonrpc: '2.0', method: 'note', params: [3] });
    await settle();
    expect(reopened.received).toHaveLength(2);
  });

  it('are dropped at once, and reported, with a notificationQueue of 0', async () => {
    const { peer, reported, reopen } = await downPeer(0);
    peer.notify('note', [1]);
    expect(reported.values.map((e) => e.message)).toEqual(['Notification (note) dropped: the link is down']);
    const reopened = await reopen();
    await settle();
    expect(reopened.received).toEqual([]);
  });
});

describe('requestConcurrency', () => {
  it('sends no more calls at once than the limit, the next one when one ends', async () => {
    const { peer, raw } = await peerWithRawServer({ requestConcurrency: 2 });
    const calls = [1, 2, 3, 4].map((n) => observe(peer.request$('m', [n])));
    const first = (await raw.next()) as Call;
    const second = (await raw.next()) as Call;
    await settle();
    expect(raw.received).toHaveLength(2);
    raw.send({ jsonrpc: '2.0', id: first.id, result: 'one' });
    const third = (await raw.next()) as Call;
    expect(third.params).toEqual([3]);
    // A call left before it was sent frees nothing and is never sent.
    calls[3]!.unsubscribe();
    raw.send({ jsonrpc: '2.0', id: second.id, result: 'two' });
    await settle();
    expect(raw.received).toHaveLength(3);
    calls[2]!.unsubscribe();
    await settle();
    expect(raw.received).toHaveLength(3);
    expect(peer.pendingCount).toBe(0);
  });
});

describe('the reconnect policy', () => {
  it('reconnects after a drop, but not after the codes that mean "go away"', () => {
    const closed = (code: number) => new ConnectionClosedError('closed', { code });
    expect([1000, 1001, 1006, 1011, 1012].map((code) => reconnectable(closed(code)))).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect([1002, 1003, 1007, 1008].map((code) => reconnectable(closed(code)))).toEqual([false, false, false, false]);
  });

  it('reads a refused handshake by its HTTP status: server errors, 408 and 429 are worth a retry', () => {
    const refused = (status: number) => new TransportError('refused', { status, retryable: true });
    const statuses = [301, 399, 400, 401, 403, 404, 408, 429, 499, 500, 503];
    expect(statuses.map((status) => [status, reconnectable(refused(status))])).toEqual([
      [301, true],
      [399, true],
      [400, false],
      [401, false],
      [403, false],
      [404, false],
      [408, true],
      [429, true],
      [499, false],
      [500, true],
      [503, true],
    ]);
  });

  it('gives up on a transport error that is not retryable, and retries other failures', () => {
    expect(reconnectable(new TransportError('bad url', { retryable: false }))).toBe(false);
    expect(reconnectable(new TransportError('down', { retryable: true }))).toBe(true);
    expect(reconnectable(new ProtocolError('odd'))).toBe(true);
  });

  it('has no policy unless asked, and fills in the defaults', () => {
    expect(reconnectPolicy(undefined)).toBeUndefined();
    expect(reconnectPolicy(false)).toBeUndefined();
    const policy = reconnectPolicy(true)!;
    expect(policy.maxAttempts).toBe(Infinity);
    expect(policy.deadline).toBe(Infinity);
    expect(policy.shouldReconnect).toBe(reconnectable);
    expect(typeof policy.delay).toBe('function');
    const own = () => false;
    expect(reconnectPolicy({ maxAttempts: 3, deadline: 10, shouldReconnect: own })).toMatchObject({
      maxAttempts: 3,
      deadline: 10,
      shouldReconnect: own,
    });
  });
});
