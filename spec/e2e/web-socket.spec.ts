import { once } from 'node:events';
import { filter, firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import type { WebSocket } from 'ws';
import {
  connect,
  ConnectionClosedError,
  fromWebSocket,
  ProtocolError,
  TransportError,
  type Peer,
  type PeerOptions,
  type PeerState,
  type RpcError,
} from 'rx-jsonrpc';
import { webSocket } from 'rx-jsonrpc/node';
import { closeAllWs, closedPort, closeOf, startWsServer, type TestWsServer } from '../helpers/ws-server';

let wss: TestWsServer;
const peers: Peer[] = [];

beforeEach(async () => {
  wss = await startWsServer();
});

afterEach(async () => {
  for (const peer of peers.splice(0)) peer.close();
  await closeAllWs();
});

/** A client peer on the test server, and the server side's raw socket. */
async function clientAndSocket(options?: PeerOptions): Promise<{ client: Peer; socket: WebSocket }> {
  const client = connect(webSocket(wss.url), options);
  peers.push(client);
  const { socket } = await wss.accepted();
  return { client, socket };
}

/** A client peer and a server peer on the accepted socket. */
async function clientAndServer(): Promise<{ client: Peer; server: Peer }> {
  const { client, socket } = await clientAndSocket();
  const server = connect(fromWebSocket(socket));
  peers.push(server);
  return { client, server };
}

const nextMessage = async (socket: WebSocket) => JSON.parse(String((await once(socket, 'message'))[0]));

describe('two peers over a real WebSocket', () => {
  it('call, notify, and call back across the socket', async () => {
    const { client, server } = await clientAndServer();
    server.handle('math.sum', ([a, b]: number[]) => a! + b!);
    server.handle('order.place', async ({ item }: { item: string }, { peer }) => {
      const confirmed = await peer.request<boolean>('ui.confirm', { text: `Buy ${item}?` });
      peer.notify('order.status', { item, status: confirmed ? 'placed' : 'dropped' });
      return confirmed;
    });
    client.handle('ui.confirm', ({ text }: { text: string }) => text === 'Buy tea?');
    const status = firstValueFrom(client.notifications$('order.status'));

    await expect(client.request('math.sum', [2, 3])).resolves.toBe(5);
    await expect(client.request('order.place', { item: 'tea' })).resolves.toBe(true);
    expect(await status).toEqual({ item: 'tea', status: 'placed' });
    expect(client.pendingCount + server.pendingCount).toBe(0);
  });

  it('carry many concurrent calls both ways, answered out of order', async () => {
    const { client, server } = await clientAndServer();
    // Delays that shuffle the answers the same way on every run.
    const delayed = ([n]: number[]) => new Promise((resolve) => setTimeout(() => resolve(n! * 2), (n! * 7) % 20));
    server.handle('double', delayed);
    client.handle('double', delayed);
    const count = 300;
    const fromClient = Array.from({ length: count }, (_, i) => client.request('double', [i]));
    const fromServer = Array.from({ length: count }, (_, i) => server.request('double', [i]));
    const expected = Array.from({ length: count }, (_, i) => i * 2);
    expect(await Promise.all(fromClient)).toEqual(expected);
    expect(await Promise.all(fromServer)).toEqual(expected);
    expect(client.pendingCount + server.pendingCount).toBe(0);
  });
});

describe('a client peer on a real WebSocket', () => {
  it('sends the calls made while connecting once open, in order', async () => {
    const methods: string[] = [];
    const arrived = new Promise<void>((resolve) => {
      wss.server.once('connection', (socket) =>
        socket.on('message', (data) => {
          methods.push(JSON.parse(String(data)).method);
          if (methods.length === 3) resolve();
        }),
      );
    });
    const client = connect(webSocket(wss.url));
    peers.push(client);
    client.request$('first').subscribe({ error: () => undefined });
    client.notify('second');
    client.request$('third').subscribe({ error: () => undefined });
    expect(await firstValueFrom(client.state$)).toEqual({ status: 'connecting' });
    await arrived;
    expect(methods).toEqual(['first', 'second', 'third']);
  });

  it('errors pending calls with ConnectionClosedError when the server drops the socket', async () => {
    const { client, socket } = await clientAndSocket();
    const call = client.request('slow').catch((e: unknown) => e);
    await nextMessage(socket);
    socket.terminate();
    const error = await call;
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect(error).toMatchObject({
      message:
        'Request 1 (slow) failed: connection closed (1006): no close frame: the network dropped or the other side died',
      code: 1006,
    });
    expect(client.pendingCount).toBe(0);
  });

  it('reports the close code and reason the server sends, in state$', async () => {
    const { client, socket } = await clientAndSocket();
    await firstValueFrom(client.state$.pipe(filter((s) => s.status === 'open')));
    const states = lastValueFrom(client.state$.pipe(toArray()));
    socket.close(4000, 'bye');
    const last = (await states).at(-1) as Extract<PeerState, { status: 'closed' }>;
    expect(last.error).toBeInstanceOf(ConnectionClosedError);
    expect(last.error).toMatchObject({
      code: 4000,
      reason: 'bye',
      message: `Connection to ${wss.url} closed (4000: bye)`,
    });
  });

  it('closes the socket with 1000 on close()', async () => {
    const { client, socket } = await clientAndSocket();
    await firstValueFrom(client.state$.pipe(filter((s) => s.status === 'open')));
    const closed = closeOf(socket);
    client.close();
    expect(await closed).toEqual({ code: 1000, reason: '' });
  });

  it('fails its calls with TransportError when nothing listens', async () => {
    const url = `ws://127.0.0.1:${await closedPort()}`;
    const client = connect(webSocket(url));
    peers.push(client);
    const error = await client.request('x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as Error).message).toMatch(
      new RegExp(`^Request 1 \\(x\\) failed: Could not connect to ${url}: .*ECONNREFUSED`),
    );
  });

  describe('receiving a binary frame', () => {
    it('reports it, drops it, and keeps working', async () => {
      const { client, socket } = await clientAndSocket();
      const reported = firstValueFrom(client.errors$);
      const call = client.request('m');
      const { id } = await nextMessage(socket);
      const bytes = Buffer.from(JSON.stringify({ jsonrpc: '2.0', id, result: 'binary' }));
      socket.send(bytes);
      const error = (await reported) as RpcError;
      expect(error).toBeInstanceOf(ProtocolError);
      expect(error.message).toBe(
        `Binary frame of ${bytes.byteLength} bytes ignored: JSON-RPC frames are text (binaryFrames: 'utf8' decodes them)`,
      );
      socket.send(JSON.stringify({ jsonrpc: '2.0', id, result: 'text' }));
      await expect(call).resolves.toBe('text');
    });

    it("decodes it as UTF-8 with binaryFrames: 'utf8'", async () => {
      const { client, socket } = await clientAndSocket({ binaryFrames: 'utf8' });
      const call = client.request('m');
      const { id } = await nextMessage(socket);
      socket.send(Buffer.from(JSON.stringify({ jsonrpc: '2.0', id, result: 'héllo' })));
      await expect(call).resolves.toBe('héllo');
    });

    it("reports a binary frame that is not UTF-8, with binaryFrames: 'utf8'", async () => {
      const { client, socket } = await clientAndSocket({ binaryFrames: 'utf8' });
      await firstValueFrom(client.state$.pipe(filter((s) => s.status === 'open')));
      const reported = firstValueFrom(client.errors$);
      socket.send(Buffer.from([0xff, 0xfe, 0x00]));
      expect(await reported).toMatchObject({ name: 'ProtocolError', message: 'Binary frame of 3 bytes is not UTF-8' });
    });
  });

  it('delivers server notifications to the subscribers of their method', async () => {
    const { client, socket } = await clientAndSocket();
    const prices = firstValueFrom(client.notifications$('price').pipe(take(3), toArray()));
    await firstValueFrom(client.state$.pipe(filter((s) => s.status === 'open')));
    for (const value of [1, 2, 3]) socket.send(JSON.stringify({ jsonrpc: '2.0', method: 'price', params: { value } }));
    expect(await prices).toEqual([{ value: 1 }, { value: 2 }, { value: 3 }]);
  });
});
