import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { connect as tcpConnect, type Socket } from 'node:net';
import { firstValueFrom } from 'rxjs';
import { connect, http, TransportError, type Peer, type RpcError } from 'rx-jsonrpc';
import { serve, serveHttp, type JsonRpcServer, type ServeHttpOptions, type SetupPeer } from 'rx-jsonrpc/node';

// The edges of a POST's life on the server: a close that catches it reading its body, being
// authenticated, waiting behind another on its connection or for a turn of the event loop; a
// client that leaves while it is authenticated; a burst over many connections; a peer that
// cannot be made; an event stream its client does not read; a codec whose text is not JSON.
// Raw sockets on 127.0.0.1, port 0, to say exactly when each byte goes.
const servers: JsonRpcServer[] = [];
const httpServers: Server[] = [];
const sockets: Socket[] = [];
const clients: Peer[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(servers.splice(0).map((server) => server.close({ drain: 0 })));
  await Promise.all(
    httpServers.splice(0).map((server) => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    }),
  );
});

/** Polls `ready` every 5 ms; fails saying `what` if it is not true within `ms`. */
async function until(what: string, ready: () => boolean, ms = 3_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`Not within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** `promise`, or a failure saying `what` if it does not settle within `ms`. */
async function within<T>(what: string, promise: Promise<T>, ms = 3_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Not within ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A raw connection to `port`: what it received so far, as text, and whether it has closed. */
async function open(port: number) {
  const socket = tcpConnect({ host: '127.0.0.1', port });
  sockets.push(socket);
  let text = '';
  let closed = false;
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  socket.once('close', () => (closed = true));
  await once(socket, 'connect');
  return {
    socket,
    received: () => text,
    closed: () => closed,
  };
}

/** The status lines of the answers in `text`, in order. */
const statuses = (text: string) => text.match(/HTTP\/1\.1 \d+ [^\r]*/g) ?? [];

/** Starts serve() on port 0; its port. */
async function start(setup: SetupPeer, options: Parameters<typeof serve>[0] = {}) {
  const server = await serve({ port: 0, ...options }, setup);
  servers.push(server);
  return { server, port: Number(new URL(server.url!).port) };
}

/** serveHttp() mounted in a node:http server of the test's on port 0; `connections()` counts what it accepted. */
async function mount(options: ServeHttpOptions, setup: SetupPeer) {
  const rpc = serveHttp(options, setup);
  servers.push(rpc);
  const server = createServer(rpc.listener);
  httpServers.push(server);
  let accepted = 0;
  server.on('connection', () => accepted++);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { rpc, port: (server.address() as { port: number }).port, connections: () => accepted };
}

const body = (method: string, id: number, params: unknown[] = []) =>
  JSON.stringify({ jsonrpc: '2.0', id, method, params });

const head = (length: number, extra = '') =>
  `POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n${extra}\r\n`;

const postText = (method: string, id = 1, params: unknown[] = []) => {
  const text = body(method, id, params);
  return head(Buffer.byteLength(text)) + text;
};

describe('serve() over HTTP: a POST that ends before its peer is made', () => {
  it('answers 503 with Connection: close to a POST whose body is still arriving, and runs nothing of it', async () => {
    let setups = 0;
    const { server, port } = await start(() => void setups++);
    const client = await open(port);
    const whole = body('work', 1);
    // Expect: 100-continue: the 100 says the server passed the checks and is reading the body.
    client.socket.write(head(whole.length, 'Expect: 100-continue\r\n'));
    await until('100 Continue', () => client.received().includes('100 Continue'));
    client.socket.write(whole.slice(0, 10));
    const started = Date.now();
    // A client that never sends the rest must not hold the close for the drain.
    await within('the close', server.close({ drain: 5_000 }));
    expect(Date.now() - started).toBeLessThan(4_000);
    await until('the connection to close', client.closed);
    expect(statuses(client.received())).toEqual(['HTTP/1.1 100 Continue', 'HTTP/1.1 503 Service Unavailable']);
    expect(client.received()).toMatch(/\r\nconnection: close\r\n/i);
    expect(setups).toBe(0);
  });

  it('answers 503 to a POST still being authenticated when the server closes, even if it is then let in', async () => {
    let setups = 0;
    let admit!: (verdict: boolean) => void;
    let asked!: () => void;
    const authenticating = new Promise<void>((resolve) => (asked = resolve));
    const { rpc, port } = await mount(
      {
        authenticate: () => {
          asked();
          return new Promise<boolean>((resolve) => (admit = resolve));
        },
      },
      (peer) => {
        setups++;
        peer.handle('work', () => 'done');
      },
    );
    const client = await open(port);
    client.socket.write(postText('work'));
    await within('authenticate to be asked', authenticating);
    const closed = rpc.close({ drain: 5_000 });
    admit(true);
    await within('the close', closed);
    await until('the connection to close', client.closed);
    expect(statuses(client.received())).toEqual(['HTTP/1.1 503 Service Unavailable']);
    expect(client.received()).toMatch(/\r\nconnection: close\r\n/i);
    expect(setups).toBe(0);
  });

  it('runs nothing of a POST whose client leaves while it is authenticated, and answers the next client', async () => {
    const ran: number[] = [];
    let admit!: (verdict: boolean) => void;
    let asked!: () => void;
    const authenticating = new Promise<void>((resolve) => (asked = resolve));
    const { port } = await mount(
      {
        authenticate: (request) => {
          if (request.headers['x-first'] === undefined) return true;
          asked();
          return new Promise<boolean>((resolve) => (admit = resolve));
        },
      },
      (peer) => peer.handle('work', ([n]: [number]) => void ran.push(n)),
    );
    const server = httpServers.at(-1)!;
    const gone = new Promise<void>((resolve) =>
      server.once('connection', (socket: Socket) => socket.once('close', () => resolve())),
    );
    const first = await open(port);
    const text = body('work', 1, [1]);
    first.socket.write(head(text.length, 'X-First: yes\r\n') + text);
    await within('authenticate to be asked', authenticating);
    first.socket.destroy();
    await within('the server to see the client go', gone);
    admit(true);
    const next = await fetch(`http://127.0.0.1:${port}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body('work', 2, [2]),
    });
    expect([next.status, await next.text()]).toEqual([200, '{"jsonrpc":"2.0","id":2,"result":null}']);
    expect(ran).toEqual([2]);
  });
});

describe('serve() over HTTP: POSTs waiting their turn when the server closes', () => {
  it('runs none of the POSTs pipelined behind the one running, which is answered before the connection closes', async () => {
    const ran: string[] = [];
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    let release!: () => void;
    const { server, port } = await start((peer) => {
      peer.handle('slow', () => {
        ran.push('slow');
        started();
        return new Promise<string>((resolve) => (release = () => resolve('slept')));
      });
      peer.handle('next', () => void ran.push('next'));
    });
    const client = await open(port);
    client.socket.write(postText('slow', 1) + postText('next', 2) + postText('next', 3));
    await within('the first handler to start', running);
    const closed = server.close({ drain: 5_000 });
    release();
    await within('the close', closed);
    await until('the connection to close', client.closed);
    // The answer before them says Connection: close: by HTTP/1.1 they were not taken, and may be sent again.
    expect(statuses(client.received())).toEqual(['HTTP/1.1 200 OK']);
    expect(client.received()).toMatch(/\r\nconnection: close\r\n/i);
    expect(client.received()).toMatch(/\{"jsonrpc":"2\.0","id":1,"result":"slept"\}$/);
    expect(ran).toEqual(['slow']);
  });

  it('answers 503 to a POST waiting behind an answer its client has not read yet, after that answer', async () => {
    // Under maxAnswerSize (16 MiB), and more than the kernel holds for a client that does not read.
    const size = 12 * 1_048_576;
    const ran: string[] = [];
    const { rpc, port } = await mount({}, (peer) => {
      peer.handle('big', () => {
        ran.push('big');
        return 'x'.repeat(size);
      });
      peer.handle('next', () => void ran.push('next'));
    });
    const client = await open(port);
    // Reads the first bytes of the big answer, then no more: the rest waits in the server.
    const begun = new Promise<void>((resolve) => {
      const first = () => {
        if (!client.received().startsWith('HTTP/1.1 200 OK')) return;
        client.socket.off('data', first).pause();
        resolve();
      };
      client.socket.on('data', first);
    });
    client.socket.write(postText('big', 1) + postText('next', 2));
    await within('the big answer to begin', begun);
    await within('the close', rpc.close({ drain: 5_000 }));
    client.socket.resume();
    await until('the connection to close', client.closed, 5_000);
    expect(statuses(client.received())).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 503 Service Unavailable']);
    expect(client.received()).toMatch(
      /\r\nconnection: close\r\n[^]*Service Unavailable: the server is shutting down\n$/i,
    );
    expect(ran).toEqual(['big']);
  });
});

describe('serve() over HTTP: a burst of POSTs', () => {
  const count = 100;

  /** `count` connections to `port`, each open and accepted by the server (so their POSTs come in together). */
  async function connections(port: number, accepted: () => number) {
    const all = await Promise.all(Array.from({ length: count }, () => open(port)));
    await until(`${count} connections to be accepted`, () => accepted() === count);
    return all;
  }

  it('answers 100 POSTs sent at once over 100 connections, each with its own id, letting other work run between', async () => {
    let setups = 0;
    let otherWork = -1;
    const { port, connections: accepted } = await mount({}, (peer) => {
      // Queued by the first setup: runs once the turn that made the first peers ends.
      if (setups++ === 0) setImmediate(() => (otherWork = setups));
      peer.handle('double', ([n]: [number]) => n * 2);
    });
    const all = await connections(port, accepted);
    all.forEach((client, id) => client.socket.write(postText('double', id, [id])));
    await until('every answer', () => all.every((client) => client.received().endsWith('}')), 5_000);
    all.forEach((client, id) => {
      expect(statuses(client.received())).toEqual(['HTTP/1.1 200 OK']);
      expect(client.received()).toMatch(
        new RegExp(`\\r\\n\\r\\n\\{"jsonrpc":"2\\.0","id":${id},"result":${id * 2}\\}$`),
      );
    });
    expect(setups).toBe(count);
    // At most 32 peers a turn: the burst did not hold the event loop until its last peer.
    expect(otherWork).toBeGreaterThan(0);
    expect(otherWork).toBeLessThan(count);
  });

  it('answers 503 to the POSTs of a burst not yet given a peer when the server closes, and runs none of them', async () => {
    let handled = 0;
    let setups = 0;
    const server: { rpc?: JsonRpcServer } = {};
    const {
      rpc,
      port,
      connections: accepted,
    } = await mount({}, (peer) => {
      // The close lands at a known point: the 33rd peer, the first past the 32 of the first
      // turn, is being made (so a deploy's SIGTERM might land anywhere in a burst).
      if (++setups === 33) void server.rpc?.close({ drain: 5_000 });
      peer.handle('work', () => {
        handled++;
        return 'done';
      });
    });
    server.rpc = rpc;
    const all = await connections(port, accepted);
    all.forEach((client, id) => client.socket.write(postText('work', id)));
    await until('every answer', () => all.every((client) => statuses(client.received()).length === 1), 5_000);
    const answered = all.map((client) => statuses(client.received())[0]);
    expect(answered.filter((status) => status === 'HTTP/1.1 200 OK')).toHaveLength(32);
    expect(answered.filter((status) => status === 'HTTP/1.1 503 Service Unavailable')).toHaveLength(count - 32);
    // The 33rd peer, made as the close began, dispatched nothing; none was made after it.
    expect([handled, setups]).toEqual([32, 33]);
  });
});

describe('serve() over HTTP: media types, peers and event streams at their limits', () => {
  const json = { 'content-type': 'application/json' };

  it('takes a JSON Content-Type with parameters other than charset, and refuses a charset that says nothing', async () => {
    const { port } = await start((peer) => peer.handle('echo', (params) => params));
    const url = `http://127.0.0.1:${port}/`;
    const statusOf = async (type: string) =>
      (await fetch(url, { method: 'POST', headers: { 'content-type': type }, body: body('echo', 1, ['a']) })).status;
    expect(await statusOf('application/json; profile="https://example.org/rpc"')).toBe(200);
    expect(await statusOf('application/json; charset')).toBe(415);
    expect(await statusOf('application/json; charset=latin1')).toBe(415);
  });

  it("answers 500 and reports it when a POST's peer cannot be made, and answers the next POSTs", async () => {
    // Checked when the server starts; given a function afterwards, which structuredClone refuses.
    const session: Record<string, unknown> = { visits: 0 };
    const { server, port } = await start((peer) => peer.handle('visits', () => 1), { peer: { session } });
    const url = `http://127.0.0.1:${port}/rpc`;
    session.db = { query: () => undefined };
    const reported = firstValueFrom(server.errors$);
    const response = await fetch(url, { method: 'POST', headers: json, body: body('visits', 1) });
    expect([response.status, response.headers.get('connection'), await response.text()]).toEqual([
      500,
      'close',
      'Internal Server Error\n',
    ]);
    const error = await within('the report', reported);
    expect(error).toBeInstanceOf(TransportError);
    expect(error.message).toMatch(/^Could not answer the POST from 127\.0\.0\.1 to \/rpc: .*could not be cloned/);
    delete session.db;
    const next = await fetch(url, { method: 'POST', headers: json, body: body('visits', 2) });
    expect(await next.text()).toBe('{"jsonrpc":"2.0","id":2,"result":1}');
  });

  it('refuses, and reports, the notifications a handler pushes once highWaterMark bytes wait on its event stream', async () => {
    const chunk = 'x'.repeat(65_536);
    const { server, port } = await start(
      (peer) =>
        peer.handle('flood', (_params, context) => {
          // Synchronous: nothing is written out while it runs (node:http corks the socket for the tick).
          for (let n = 0; n < 32; n++) context.peer.notify('chunk', [n, chunk]);
          return 'sent';
        }),
      { highWaterMark: 262_144 },
    );
    const reports: RpcError[] = [];
    server.errors$.subscribe((error) => reports.push(error));
    const response = await fetch(`http://127.0.0.1:${port}/`, {
      method: 'POST',
      headers: { ...json, accept: 'text/event-stream' },
      body: body('flood', 1),
    });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const events = (await response.text()).split('\n\n').filter((event) => event !== '');
    const messages = events.map((event) => JSON.parse(event.replace(/^event: message\ndata: /, '')) as unknown);
    const sent = messages.slice(0, -1) as { params: [number, string] }[];
    // The first ones, in order, then none: a client that does not read holds little of the server's memory.
    expect(sent.map(({ params: [n] }) => n)).toEqual(Array.from({ length: sent.length }, (_, n) => n));
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.length).toBeLessThan(32);
    expect(messages.at(-1)).toEqual({ jsonrpc: '2.0', id: 1, result: 'sent' });
    expect(reports).toHaveLength(32 - sent.length);
    for (const error of reports) {
      expect(error).toBeInstanceOf(TransportError);
      expect(error.message).toBe("Not sent to 127.0.0.1: its answer's event stream is gone, or full");
    }
  });

  it("sends a handler's notifications on the event stream in a codec of the user's that is not JSON", async () => {
    // Each message behind a tag: no JSON parser can tell a call from a notification in it, so none is refused.
    const codec = {
      encode: (message: object) => `rpc1 ${JSON.stringify(message)}`,
      decode: (text: string): unknown => JSON.parse(text.replace(/^rpc1 /, '')),
    };
    const { port } = await start(
      (peer) =>
        peer.handle('tell', (_params, context) => {
          context.peer.notify('news', ['hello']);
          return 'told';
        }),
      { peer: { codec } },
    );
    const rpc = connect(http(`http://127.0.0.1:${port}/`), { codec, timeout: 5_000 });
    clients.push(rpc);
    const news: unknown[] = [];
    rpc.notifications$('news').subscribe((params) => news.push(params));
    await expect(rpc.request('tell')).resolves.toBe('told');
    expect(news).toEqual([['hello']]);
  });
});
