import type { Socket } from 'node:net';
import { corkEachTick } from '../../lib/node/cork';
import { closeAllWs, openWsClient, startWsServer } from '../helpers/ws-server';

afterEach(closeAllWs);

/** A real client socket to a real server, with the frames the server receives. */
async function corkedPair() {
  const server = await startWsServer();
  const received: string[] = [];
  const accepted = server.accepted();
  const socket = await openWsClient(server.url);
  (await accepted).socket.on('message', (data: Buffer) => received.push(data.toString()));
  corkEachTick(socket);
  const tcp = (socket as unknown as { _socket: Socket })._socket;
  return { socket, tcp, received };
}

const nextMicrotask = () => new Promise<void>((resolve) => queueMicrotask(resolve));

describe('corkEachTick', () => {
  it('writes a lone frame at once, without corking', async () => {
    const { socket, tcp, received } = await corkedPair();
    socket.send('lone');
    expect(tcp.writableCorked).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(received).toEqual(['lone']);
  });

  it('corks the rest of a burst and uncorks it in a microtask, keeping the order', async () => {
    const { socket, tcp, received } = await corkedPair();
    for (let n = 0; n < 5; n++) socket.send(`frame ${n}`);
    expect(tcp.writableCorked).toBe(1);
    await nextMicrotask();
    expect(tcp.writableCorked).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(received).toEqual(['frame 0', 'frame 1', 'frame 2', 'frame 3', 'frame 4']);
  });

  it('starts each tick afresh', async () => {
    const { socket, tcp } = await corkedPair();
    socket.send('a');
    socket.send('b');
    await new Promise((resolve) => setTimeout(resolve, 0));
    socket.send('c');
    expect(tcp.writableCorked).toBe(0);
  });
});
