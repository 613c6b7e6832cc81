import type { ServerResponse } from 'node:http';
import { filter, firstValueFrom, take, timeout, timer, toArray } from 'rxjs';
import { connect, http, subscription$, type ConnectionInfo, type Peer, type RpcError } from 'rx-jsonrpc';
import { closeAllHttp, startHttpServer, type Received } from '../helpers/http-server';

const peers: Peer[] = [];
afterEach(async () => {
  for (const peer of peers.splice(0)) await peer.close();
  await closeAllHttp();
});

function over(url: string, options?: Parameters<typeof http>[1], peerOptions?: Parameters<typeof connect>[1]): Peer {
  const peer = connect(http(url, options), peerOptions);
  peers.push(peer);
  return peer;
}

const idOf = ({ body }: Received) => (JSON.parse(body) as { id: number }).id;
const event = (message: object, id?: string) =>
  `${id === undefined ? '' : `id: ${id}\n`}data: ${JSON.stringify(message)}\n\n`;
/** Starts an event stream, its headers sent at once (Node holds them until the first write otherwise). */
const sse = (response: ServerResponse) => {
  response.writeHead(200, { 'content-type': 'text/event-stream' }).flushHeaders();
  return response;
};
/** Resolves once `check` holds, looked at every 5 ms for 5 s at most. */
const until = (check: () => boolean) => firstValueFrom(timer(0, 5).pipe(filter(check), take(1), timeout(5_000)));

describe('http() with answers as event streams', () => {
  it('asks for JSON or an event stream', async () => {
    const server = await startHttpServer((received, response) =>
      response.writeHead(200).end(JSON.stringify({ jsonrpc: '2.0', id: idOf(received), result: 1 })),
    );
    await over(server.url).request('x');
    expect(server.received[0]!.request.headers.accept).toBe('application/json, text/event-stream');
  });

  it('dispatches each message of the stream as it comes: notifications first, then the answer', async () => {
    const server = await startHttpServer((received, response) => {
      sse(response);
      response.write(': a comment, skipped\n\n');
      response.write(event({ jsonrpc: '2.0', method: 'log', params: ['working'] }));
      response.write('event: other\ndata: {"not":"for the peer"}\n\n');
      // One message split over two data lines and three chunks, CRLF line ends.
      response.write(`data: {"jsonrpc":"2.0","id":${idOf(received)},\r\n`);
      response.write('data: "result":"dön');
      response.end('e"}\r\n\r\n');
    });
    const peer = over(server.url);
    const logs: unknown[] = [];
    peer.notifications$('log').subscribe((params) => logs.push(params));
    await expect(peer.request('work')).resolves.toBe('döne');
    expect(logs).toEqual([['working']]);
  });

  it('fails the calls a stream ends without answering', async () => {
    const server = await startHttpServer((_, response) => sse(response).end(': nothing\n\n'));
    await expect(over(server.url).request('x')).rejects.toMatchObject({
      message: 'Request 1 (x) got no answer in the response to it',
    });
  });

  it('answers a call the server makes inside the stream with a POST of its own', async () => {
    let answer: unknown;
    const server = await startHttpServer((received, response) => {
      const message = JSON.parse(received.body) as { id: number; method?: string; result?: unknown };
      if (message.method === undefined) {
        answer = message;
        return response.writeHead(202).end();
      }
      sse(response).write(event({ jsonrpc: '2.0', id: 'ask-1', method: 'confirm', params: ['sure?'] }));
      void until(() => answer !== undefined).then(() =>
        response.end(event({ jsonrpc: '2.0', id: message.id, result: 'confirmed' })),
      );
    });
    const peer = over(server.url);
    peer.handle('confirm', () => 'yes');
    await expect(peer.request('act')).resolves.toBe('confirmed');
    expect(answer).toEqual({ jsonrpc: '2.0', id: 'ask-1', result: 'yes' });
  });

  it('aborts the POST of a call unsubscribed while its stream is open', async () => {
    let closed = false;
    const server = await startHttpServer((_, response) => {
      sse(response).write(': started\n\n');
      response.once('close', () => (closed = true));
    });
    const peer = over(server.url);
    const subscription = peer.request$('slow').subscribe({ error: () => undefined });
    await until(() => server.received.length === 1);
    subscription.unsubscribe();
    await until(() => closed);
    expect(peer.pendingCount).toBe(0);
  });

  it('resumes a dropped stream with a GET and Last-Event-ID, after the retry: time', async () => {
    const server = await startHttpServer((received, response) => {
      if (received.request.method === 'GET') {
        return sse(response).end(event({ jsonrpc: '2.0', id: 1, result: 'resumed' }, 'e2'));
      }
      sse(response).write(`retry: 10\n${event({ jsonrpc: '2.0', method: 'log', params: ['1'] }, 'e1')}`);
      setTimeout(() => response.destroy(), 20);
    });
    await expect(over(server.url).request('x')).resolves.toBe('resumed');
    const get = server.received[1]!.request;
    expect([get.method, get.headers['last-event-id'], get.headers.accept]).toEqual(['GET', 'e1', 'text/event-stream']);
  });

  it('fails the call when a stream drops before any event id', async () => {
    const server = await startHttpServer((_, response) => {
      sse(response).write(': hello\n\n');
      setTimeout(() => response.destroy(), 20);
    });
    await expect(over(server.url).request('x')).rejects.toMatchObject({
      name: 'TransportError',
      retryable: true,
      message: expect.stringMatching(/^Request 1 \(x\) failed: The event stream from .* broke: /),
    });
  });

  it('aborts a stream at an event larger than maxFrameSize', async () => {
    const server = await startHttpServer((_, response) => sse(response).end(`data: "${'a'.repeat(2_000)}"\n\n`));
    await expect(over(server.url, { maxFrameSize: 1_000 }).request('x')).rejects.toMatchObject({
      name: 'TransportError',
      retryable: false,
      message: `Request 1 (x) failed: An event from ${server.url} is larger than maxFrameSize (1000 bytes): stream aborted`,
    });
  });
});

describe('http() sessions', () => {
  it('keeps the session id the server gives and sends it on every later request', async () => {
    let n = 0;
    const server = await startHttpServer((received, response) =>
      response
        .writeHead(200, { 'content-type': 'application/json', 'x-session': `s-${++n}` })
        .end(JSON.stringify({ jsonrpc: '2.0', id: idOf(received), result: null })),
    );
    const peer = over(server.url, { sessionHeader: 'X-Session' });
    await peer.request('a');
    await peer.request('b');
    await peer.request('c');
    expect(server.received.map((r) => r.request.headers['x-session'])).toEqual([undefined, 's-1', 's-2']);
  });

  it('ignores a session id that is not visible ASCII or too long', async () => {
    const given = ['bad id', 'x'.repeat(1_025), 'good'];
    const server = await startHttpServer((received, response) =>
      response
        .writeHead(200, { 'x-session': given.shift() ?? 'good' })
        .end(JSON.stringify({ jsonrpc: '2.0', id: idOf(received), result: null })),
    );
    const peer = over(server.url, { sessionHeader: 'x-session' });
    for (const method of ['a', 'b', 'c', 'd']) await peer.request(method);
    expect(server.received.map((r) => r.request.headers['x-session'])).toEqual([
      undefined,
      undefined,
      undefined,
      'good',
    ]);
  });

  it('forgets the session on a 404 to a request that carried it', async () => {
    const server = await startHttpServer((received, response) => {
      const sent = received.request.headers['mcp-session-id'];
      if (sent === 'old') return response.writeHead(404).end('session ended');
      response
        .writeHead(200, sent === undefined ? { 'mcp-session-id': 'old' } : {})
        .end(JSON.stringify({ jsonrpc: '2.0', id: idOf(received), result: null }));
    });
    const peer = over(server.url, { sessionHeader: 'Mcp-Session-Id' });
    await peer.request('a');
    await expect(peer.request('b')).rejects.toMatchObject({ name: 'TransportError', status: 404 });
    await peer.request('c');
    expect(server.received.map((r) => r.request.headers['mcp-session-id'])).toEqual([undefined, 'old', undefined]);
  });

  it('ends the session with a DELETE when the peer closes', async () => {
    const server = await startHttpServer((received, response) =>
      received.request.method === 'DELETE'
        ? response.writeHead(200).end()
        : response
            .writeHead(200, { 'mcp-session-id': 'abc' })
            .end(JSON.stringify({ jsonrpc: '2.0', id: idOf(received), result: null })),
    );
    const peer = over(server.url, { sessionHeader: 'mcp-session-id' });
    await peer.request('a');
    await peer.close();
    await until(() => server.received.length === 2);
    const { method, headers } = server.received[1]!.request;
    expect([method, headers['mcp-session-id']]).toEqual(['DELETE', 'abc']);
  });

  it('aborts a DELETE the server does not answer after 2 s, and closes without waiting for it', async () => {
    let deleteClosedAt: number | undefined;
    const server = await startHttpServer((received, response) => {
      if (received.request.method === 'DELETE') {
        return void received.request.socket.once('close', () => (deleteClosedAt = Date.now()));
      }
      response
        .writeHead(200, { 'mcp-session-id': 'abc' })
        .end(JSON.stringify({ jsonrpc: '2.0', id: idOf(received), result: null }));
    });
    const peer = over(server.url, { sessionHeader: 'mcp-session-id' });
    await peer.request('a');
    const closing = Date.now();
    await peer.close();
    expect(Date.now() - closing).toBeLessThan(500);
    await until(() => server.received.length === 2);
    await firstValueFrom(
      timer(0, 20).pipe(
        filter(() => deleteClosedAt !== undefined),
        take(1),
        timeout(4_000),
      ),
    );
    expect(deleteClosedAt! - closing).toBeGreaterThanOrEqual(1_900);
  });
});

describe('http() standing stream', () => {
  /** Whether the peer's link says duplex now. */
  const duplex = (peer: Peer) => {
    let info: ConnectionInfo | undefined;
    peer.state$.pipe(take(1)).subscribe((state) => (info = state.status === 'open' ? state.info : undefined));
    return info?.duplex === true;
  };

  /** A server whose GETs are held open; `push` writes to the open ones. */
  async function standingServer(onGet: (received: Received, response: ServerResponse) => void = () => undefined) {
    const open = new Set<ServerResponse>();
    const server = await startHttpServer((received, response) => {
      if (received.request.method !== 'GET') {
        const message = JSON.parse(received.body) as { id?: number; method: string };
        if (message.id === undefined) return response.writeHead(202).end();
        const result = message.method === 'subscribe' ? 'sub-1' : message.method;
        return response.writeHead(200).end(JSON.stringify({ jsonrpc: '2.0', id: message.id, result }));
      }
      open.add(sse(response));
      response.once('close', () => open.delete(response));
      onGet(received, response);
    });
    const push = (message: object, id?: string) => {
      for (const response of open) response.write(event(message, id));
    };
    return { server, open, push };
  }

  it('opens a GET at once, delivers its notifications, and says duplex while it is open', async () => {
    const { server, open, push } = await standingServer();
    const peer = over(server.url, { standingStream: true });
    expect(duplex(peer)).toBe(false);
    await until(() => duplex(peer));
    expect(open.size).toBe(1);
    const seen = firstValueFrom(peer.notifications$('tick').pipe(take(2), toArray()));
    push({ jsonrpc: '2.0', method: 'tick', params: [1] });
    push({ jsonrpc: '2.0', method: 'tick', params: [2] });
    await expect(seen).resolves.toEqual([[1], [2]]);
    expect(server.received[0]!.request.headers.accept).toBe('text/event-stream');
  });

  it('lets subscription$() work over it', async () => {
    const { server, push } = await standingServer();
    const peer = over(server.url, { standingStream: true });
    await until(() => duplex(peer));
    const values = firstValueFrom(
      subscription$(peer, 'subscribe', [], { notification: 'update', unsubscribe: 'unsubscribe' }).pipe(
        take(2),
        toArray(),
      ),
    );
    await until(() => server.received.some((r) => r.body.includes('"subscribe"')));
    await new Promise((resolve) => setTimeout(resolve, 20));
    push({ jsonrpc: '2.0', method: 'update', params: { subscription: 'sub-1', result: 'a' } });
    push({ jsonrpc: '2.0', method: 'update', params: { subscription: 'sub-1', result: 'b' } });
    await expect(values).resolves.toEqual(['a', 'b']);
  });

  it('opens it again after it ends, from the last event id, and is not duplex in between', async () => {
    const gets: (string | undefined)[] = [];
    const { server, open, push } = await standingServer((received) => {
      gets.push(received.request.headers['last-event-id'] as string | undefined);
    });
    const peer = over(server.url, { standingStream: true, reconnect: () => timer(50) });
    await until(() => open.size === 1);
    push({ jsonrpc: '2.0', method: 'tick', params: [1] }, 'ev-7');
    await new Promise((resolve) => setTimeout(resolve, 20));
    for (const response of open) response.end();
    await until(() => open.size === 0);
    await until(() => !duplex(peer));
    await until(() => open.size === 1);
    expect(gets).toEqual([undefined, 'ev-7']);
  });

  it('opens it only after the first answered POST when there is a session', async () => {
    const { server, open } = await standingServer();
    const peer = over(server.url, { standingStream: true, sessionHeader: 'mcp-session-id' });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(open.size).toBe(0);
    await peer.request('hello');
    await until(() => open.size === 1);
  });

  it('opens it again with the next session after a 404 ended the one before', async () => {
    let next = 0;
    const live = new Set<string>();
    const gets: unknown[] = [];
    const server = await startHttpServer((received, response) => {
      const sent = received.request.headers['mcp-session-id'] as string | undefined;
      if (received.request.method === 'GET') {
        gets.push(sent);
        if (sent === undefined || !live.has(sent)) return response.writeHead(404).end();
        return sse(response).write(': open\n\n');
      }
      if (sent !== undefined && !live.has(sent)) return response.writeHead(404).end();
      const session = sent ?? `s${++next}`;
      live.add(session);
      response
        .writeHead(200, { 'mcp-session-id': session })
        .end(JSON.stringify({ jsonrpc: '2.0', id: idOf(received), result: session }));
    });
    const options = { standingStream: true, sessionHeader: 'mcp-session-id', reconnect: () => timer(10) };
    const peer = over(server.url, options);
    await peer.request('initialize');
    await until(() => duplex(peer));
    const refused = firstValueFrom(peer.errors$);
    live.clear();
    for (const get of server.received.filter((r) => r.request.method === 'GET')) get.request.socket.destroy();
    await expect(refused).resolves.toMatchObject({ status: 404 });
    // The GET's 404 ended the session here too: the next POST goes without one.
    await expect(peer.request('initialize')).resolves.toBe('s2');
    await until(() => duplex(peer));
    expect(gets).toEqual(['s1', 's1', 's2']);
  });

  it('stops at a 405 (the server offers none) and reports another refusal on errors$', async () => {
    const refusing = (status: number) =>
      startHttpServer((received, response) =>
        received.request.method === 'GET'
          ? response.writeHead(status).end()
          : response.writeHead(200).end(JSON.stringify({ jsonrpc: '2.0', id: idOf(received), result: 1 })),
      );
    const none = await refusing(405);
    const noneErrors: RpcError[] = [];
    over(none.url, { standingStream: true, reconnect: () => timer(1) }).errors$.subscribe((e) => noneErrors.push(e));
    const refused = await refusing(400);
    const peer = over(refused.url, { standingStream: true, reconnect: () => timer(1) });
    const error = await firstValueFrom(peer.errors$);
    expect(error).toMatchObject({
      name: 'TransportError',
      status: 400,
      message: `GET ${refused.url} for an event stream got HTTP 400`,
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect([none.received.length, refused.received.length, noneErrors]).toEqual([1, 1, []]);
  });
});
