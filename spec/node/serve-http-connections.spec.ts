import { connect as tcpConnect, type Socket } from 'node:net';
import { firstValueFrom, take, toArray } from 'rxjs';
import { serve, type JsonRpcServer, type ServeOptions, type SetupPeer } from 'rx-jsonrpc/node';

// One connection's POSTs: pipelined ones answered one at a time, a client that leaves or
// never reads, and a setup that never settles. Raw sockets on 127.0.0.1, port 0.
const servers: JsonRpcServer[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((server) => server.close({ drain: 0 })));
});

async function start(setup: SetupPeer, options: ServeOptions = {}): Promise<JsonRpcServer> {
  const server = await serve({ port: 0, ...options }, setup);
  servers.push(server);
  return server;
}

/** A raw socket to `server`, its received text kept in `received()`. */
function open(server: JsonRpcServer) {
  const socket = tcpConnect({ host: '127.0.0.1', port: Number(new URL(server.url!).port) });
  sockets.push(socket);
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, closed, received: () => text };
}

const postText = (method: string, params: unknown[] = []) => {
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method, params });
  return `POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
};

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('serve() over HTTP: the POSTs of one connection', () => {
  it('answers pipelined POSTs one at a time, in the order they came', async () => {
    const log: string[] = [];
    let running = 0;
    const server = await start((peer) =>
      peer.handle('wait', async ([name]: [string]) => {
        log.push(`start ${name} (${++running} running)`);
        await pause(30);
        running--;
        return name;
      }),
    );
    const client = open(server);
    client.socket.write(postText('wait', ['a']) + postText('wait', ['b']) + postText('wait', ['c']));
    for (let waited = 0; waited < 3_000 && !client.received().includes('"c"'); waited += 20) await pause(20);
    expect(log).toEqual(['start a (1 running)', 'start b (1 running)', 'start c (1 running)']);
    expect(client.received().match(/"result":"\w"/g)).toEqual(['"result":"a"', '"result":"b"', '"result":"c"']);
  });

  it('aborts the POST running and starts none of those waiting when the client leaves', async () => {
    const log: string[] = [];
    const server = await start((peer) =>
      peer.handle('wait', ([name]: [string], { signal }) => {
        log.push(`start ${name}`);
        signal.addEventListener('abort', () => log.push(`abort ${name}`));
        return new Promise(() => undefined);
      }),
    );
    const client = open(server);
    client.socket.write(postText('wait', ['a']) + postText('wait', ['b']) + postText('wait', ['c']));
    for (let waited = 0; waited < 3_000 && log.length === 0; waited += 10) await pause(10);
    client.socket.destroy();
    await pause(100);
    expect(log).toEqual(['start a', 'abort a']);
  });

  it('cuts a connection holding over 16 requests unanswered, and reports it', async () => {
    const server = await start((peer) => peer.handle('wait', () => new Promise(() => undefined)));
    const reported = firstValueFrom(server.errors$);
    const client = open(server);
    client.socket.write(postText('wait').repeat(17));
    await client.closed;
    expect((await reported).message).toBe('Closed the connection from 127.0.0.1: over 16 requests unanswered on it');
  });

  it('cuts a connection whose answer is not written out within writeTimeout', async () => {
    const size = 8 * 1_048_576;
    const server = await start((peer) => peer.handle('big', () => 'x'.repeat(size)), { writeTimeout: 200 });
    const client = open(server);
    // Reads nothing until well past the deadline, then whatever the kernel kept.
    client.socket.pause();
    client.socket.write(postText('big'));
    await pause(1_000);
    client.socket.resume();
    await client.closed;
    expect(client.received()).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(client.received().length).toBeLessThan(size);
  });

  it('gives writeTimeout to an answer from when it can be written, not while it waits behind a slow one', async () => {
    const server = await start((peer) => peer.handle('sleep', ([ms]: [number]) => pause(ms).then(() => 'slept')), {
      writeTimeout: 300,
    });
    const client = open(server);
    // The 405 is ready at once but queued behind the POST, which takes longer than writeTimeout.
    client.socket.write(`${postText('sleep', [800])}HEAD / HTTP/1.1\r\nHost: x\r\n\r\n`);
    for (let waited = 0; waited < 3_000 && !client.received().includes('405'); waited += 20) await pause(20);
    expect(client.received().match(/HTTP\/1\.1 \d+/g)).toEqual(['HTTP/1.1 200', 'HTTP/1.1 405']);
    expect(client.received()).toContain('"result":"slept"');
  });

  describe('a setup that never settles', () => {
    const hangs: SetupPeer = async (peer) => {
      peer.handle('ping', () => 'pong');
      await new Promise(() => undefined);
    };

    it("answers 500 once the peer's handlerTimeout passes, and reports it", async () => {
      const server = await start(hangs, { peer: { handlerTimeout: 100 } });
      const reported = firstValueFrom(server.errors$);
      const client = open(server);
      client.socket.write(postText('ping'));
      for (let waited = 0; waited < 2_000 && !client.received().includes('500'); waited += 20) await pause(20);
      expect(client.received()).toMatch(/^HTTP\/1\.1 500 Internal Server Error\r\n/);
      expect((await reported).message).toBe('setup() did not settle within 100 ms for the POST from 127.0.0.1 to /');
    });

    it('answers 503 when the server closes, within the drain', async () => {
      const server = await start(hangs);
      const client = open(server);
      client.socket.write(postText('ping'));
      await pause(100);
      const started = Date.now();
      await server.close({ drain: 200 });
      expect(Date.now() - started).toBeLessThan(1_000);
      await client.closed;
      expect(client.received()).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
    });

    it('holds nothing once its client leaves: the server closes at once', async () => {
      const server = await start(hangs);
      const reports = server.errors$.pipe(take(1), toArray());
      const client = open(server);
      client.socket.write(postText('ping'));
      await pause(100);
      client.socket.destroy();
      await pause(50);
      const started = Date.now();
      await server.close({ drain: 10_000 });
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(await firstValueFrom(reports)).toEqual([]);
    });
  });
});
