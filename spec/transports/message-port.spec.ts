import { MessageChannel } from 'node:worker_threads';
import { firstValueFrom } from 'rxjs';
import { connect, messagePort, type MessageTarget, type Peer } from 'rx-jsonrpc';

const peers: Peer[] = [];
const ports: { close(): void }[] = [];
afterEach(() => {
  for (const peer of peers.splice(0)) peer.close();
  for (const port of ports.splice(0)) port.close();
});

function channel(): [MessageTarget, MessageTarget] {
  const { port1, port2 } = new MessageChannel();
  ports.push(port1, port2);
  return [port1 as unknown as MessageTarget, port2 as unknown as MessageTarget];
}

describe('messagePort', () => {
  it('carries calls, notifications and calls back over a real MessageChannel', async () => {
    const [a, b] = channel();
    const server = connect(messagePort(b));
    const client = connect(messagePort(a));
    peers.push(server, client);
    server.handle('math.sum', ([x, y]: number[]) => x! + y!);
    server.handle('ask', async (_p, { peer }) => `client says ${String(await peer.request('name'))}`);
    client.handle('name', () => 'port a');
    const note = firstValueFrom(client.notifications$('hello'));
    await expect(client.request('math.sum', [2, 3])).resolves.toBe(5);
    await expect(client.request('ask')).resolves.toBe('client says port a');
    server.notify('hello', ['there']);
    expect(await note).toEqual(['there']);
  });

  it('ignores messages that are not strings', async () => {
    const [a, b] = channel();
    const client = connect(messagePort(a));
    peers.push(client);
    const received: string[] = [];
    b.addEventListener('message', (event) => received.push(String(event.data)));
    (b as unknown as { postMessage(value: unknown): void }).postMessage({ not: 'a frame' });
    b.postMessage(JSON.stringify({ jsonrpc: '2.0', method: 'ok' }));
    const ok = firstValueFrom(client.notifications$('ok'));
    await expect(ok).resolves.toBeUndefined();
    client.close();
  });

  it('posts to the target origin of a window and accepts only the origins allowed', async () => {
    const posted: [string, string | undefined][] = [];
    let listener: ((event: { data: unknown; origin?: string }) => void) | undefined;
    // A stand-in for a window: the browser test covers the real postMessage.
    const fakeWindow: MessageTarget = {
      postMessage: (message, targetOrigin) => void posted.push([message, targetOrigin]),
      addEventListener: (_type, l) => void (listener = l),
      removeEventListener: () => (listener = undefined),
    };
    const peer = connect(messagePort(fakeWindow, { targetOrigin: 'https://app.example' }));
    peers.push(peer);
    const notes: unknown[] = [];
    peer.notifications$('n').subscribe((p) => notes.push(p));
    peer.notify('hi');
    expect(posted).toEqual([['{"jsonrpc":"2.0","method":"hi"}', 'https://app.example']]);
    listener!({ data: '{"jsonrpc":"2.0","method":"n","params":["evil"]}', origin: 'https://evil.example' });
    listener!({ data: '{"jsonrpc":"2.0","method":"n","params":["good"]}', origin: 'https://app.example' });
    expect(notes).toEqual([['good']]);
    peer.close();
    expect(listener).toBeUndefined();
  });
});
