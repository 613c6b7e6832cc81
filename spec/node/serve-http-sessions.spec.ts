import { filter, firstValueFrom, map, take, tap, timeout, timer } from 'rxjs';
import {
  connect,
  http,
  mcp,
  positional,
  type ConnectionInfo,
  type FetchLike,
  type Peer,
  type RpcError,
} from 'rx-jsonrpc';
import { randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, serveHttp, type JsonRpcServer, type ServeOptions, type SetupPeer } from 'rx-jsonrpc/node';

// serve({ sessions }) answering HTTP: the library's own http() client with sessions and a
// standing stream, and fetch for what a client sees byte for byte. 127.0.0.1, port 0.
const servers: JsonRpcServer[] = [];
const clients: Peer[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(servers.splice(0).map((server) => server.close({ drain: 0 })));
});

async function start(setup: SetupPeer, options: ServeOptions = {}): Promise<[string, JsonRpcServer]> {
  const server = await serve({ port: 0, sessions: {}, ...options }, setup);
  servers.push(server);
  return [server.url!.replace('ws:', 'http:'), server];
}

function client(url: string, options: Parameters<typeof http>[1] = { sessionHeader: 'Mcp-Session-Id' }): Peer {
  const peer = connect(http(url, options), { timeout: 5_000 });
  clients.push(peer);
  return peer;
}

const call = (method: string, params?: unknown, id = 1) => JSON.stringify({ jsonrpc: '2.0', id, method, params });

/** POSTs `body` with fetch, with `session` as its session id; the status, session header and text of the answer. */
async function post(url: string, body: string, session?: string, more: Record<string, string> = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...more };
  if (session !== undefined) headers['mcp-session-id'] = session;
  const response = await fetch(url, { method: 'POST', headers, body });
  return { status: response.status, session: response.headers.get('mcp-session-id'), text: await response.text() };
}

/** Resolves once `check` holds, looked at every 5 ms for 5 s at most. */
const until = (check: () => boolean) => firstValueFrom(timer(0, 5).pipe(filter(check), take(1), timeout(5_000)));

/** Whether the peer's link says duplex now (its standing stream is open). */
const duplex = (peer: Peer) => {
  let info: ConnectionInfo | undefined;
  peer.state$.pipe(take(1)).subscribe((state) => (info = state.status === 'open' ? state.info : undefined));
  return info?.duplex === true;
};

/** The status of a standing GET of `session` (200: it is the session's standing stream now), its body left unread. */
async function standingStatus(url: string, session: string, more: Record<string, string> = {}): Promise<number> {
  const response = await fetch(url, { headers: { accept: 'text/event-stream', 'mcp-session-id': session, ...more } });
  // A 200 stream would be held open: it is let go at once.
  await response.body?.cancel();
  return response.status;
}

/**
 * Opens the standing stream of `session` with node:http and never reads it (its socket paused):
 * a client that does not read. Resolves with the response once its headers came; destroy its socket when done.
 */
const unreadStanding = (url: string, session: string) =>
  new Promise<IncomingMessage>((resolve, reject) => {
    const headers = { accept: 'text/event-stream', 'mcp-session-id': session };
    httpRequest(url, { headers }, (response) => {
      response.pause();
      response.socket.pause();
      resolve(response);
    })
      .once('error', reject)
      .end();
  });

/** Pushes `count` notifications of 64 KiB with notifyAll, a turn of the loop between each. */
async function flood(server: JsonRpcServer, count: number): Promise<void> {
  const chunk = 'x'.repeat(65_536);
  for (let sent = 0; sent < count; sent++) {
    server.notifyAll('chunk', [chunk]);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Resolves once `check` resolves true, asked every 20 ms for 5 s at most; rejects then. */
async function untilAsync(check: () => Promise<boolean>): Promise<void> {
  for (let tries = 0; tries < 250; tries++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('not so within 5 s');
}

const sum = positional((a: number, b: number) => a + b);

describe('serve() with HTTP sessions', () => {
  it('hands out a session id on the first answer and keeps one peer for the session', async () => {
    let setups = 0;
    const [url] = await start((peer) => {
      setups++;
      peer.handle('count', (_params, { session }) => (session.count = Number(session.count ?? 0) + 1));
    });
    const first = await post(url, call('count'));
    expect(first.status).toBe(200);
    expect(first.session).toMatch(/^[0-9a-f-]{36}$/);
    const second = await post(url, call('count', undefined, 2), first.session!);
    expect(JSON.parse(second.text)).toEqual({ jsonrpc: '2.0', id: 2, result: 2 });
    expect(second.session).toBe(first.session);
    expect(setups).toBe(1);
  });

  it('answers a call in a session with the http() client', async () => {
    const [url] = await start((peer) => peer.handle('math.sum', sum));
    const peer = client(url);
    await expect(peer.request('math.sum', [1, 2])).resolves.toBe(3);
    await expect(peer.request('math.sum', [3, 4])).resolves.toBe(7);
  });

  it('lets a handler call its client within a call and get the answer', async () => {
    const [url] = await start((peer) =>
      peer.handle('delete.all', async (_params, context) => {
        const confirmed = await context.peer.request('ui.confirm', ['Delete everything?']);
        return confirmed === true ? 'deleted' : 'kept';
      }),
    );
    const peer = client(url);
    const asked: unknown[] = [];
    peer.handle('ui.confirm', (params) => {
      asked.push(params);
      return true;
    });
    await expect(peer.request('delete.all')).resolves.toBe('deleted');
    expect(asked).toEqual([['Delete everything?']]);
  });

  it('sends notifications of a call on its event stream, before its answer', async () => {
    const [url] = await start((peer) =>
      peer.handle('build', (_params, context) => {
        context.peer.notify('build.step', { done: 1 });
        return 'built';
      }),
    );
    const peer = client(url);
    const steps: unknown[] = [];
    peer.notifications$('build.step').subscribe((params) => steps.push(params));
    await expect(peer.request('build')).resolves.toBe('built');
    expect(steps).toEqual([{ done: 1 }]);
  });

  it('reaches session peers with notifyAll over their standing streams', async () => {
    const [url, server] = await start((peer) => peer.handle('hello', () => 'hi'));
    const peer = client(url, { mcp: true });
    const news: unknown[] = [];
    peer.notifications$('news').subscribe((params) => news.push(params));
    await peer.request('hello');
    expect(server.peers.size).toBe(1);
    await until(() => duplex(peer));
    server.notifyAll('news', ['extra']);
    await until(() => news.length > 0);
    expect(news).toEqual([['extra']]);
  });

  it('sends what a handler of one session broadcasts to the others on their standing streams', async () => {
    const [url, server] = await start((peer) =>
      peer.handle('say', ([text]: [string]) => {
        server.notifyAll('said', [text]);
        return 'ok';
      }),
    );
    const speaker = client(url, { mcp: true });
    const listener = client(url, { mcp: true });
    const heard: unknown[] = [];
    const echoed: unknown[] = [];
    listener.notifications$('said').subscribe((params) => heard.push(params));
    speaker.notifications$('said').subscribe((params) => echoed.push(params));
    await listener.request('say', ['first']);
    await until(() => duplex(listener));
    heard.length = 0;
    await speaker.request('say', ['hello']);
    await until(() => heard.length > 0);
    expect(heard).toEqual([['hello']]);
    expect(echoed).toContainEqual(['hello']);
  });

  it('answers 400 to a request without a session id when an opener is required', async () => {
    const [url] = await start((peer) => peer.handle('initialize', () => ({})), { sessions: { opener: 'initialize' } });
    expect((await post(url, call('tools/list'))).status).toBe(400);
    const opened = await post(url, call('initialize'));
    expect(opened.status).toBe(200);
    expect(opened.session).not.toBeNull();
    const get = await fetch(url, { headers: { accept: 'text/event-stream' } });
    expect(get.status).toBe(400);
  });

  it('answers a POST of notifications or answers with 202 and no body, even to a client that takes a stream', async () => {
    const [url] = await start((peer) => peer.handle('math.sum', sum));
    const { session } = await post(url, call('math.sum', [1, 2]));
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': session!,
      },
      body: JSON.stringify({ jsonrpc: '2.0', method: 'note', params: [] }),
    });
    expect(response.status).toBe(202);
    expect(await response.text()).toBe('');
  });

  it("sends what a handler pushes after its client's answer on the standing stream, not in the answer's POST", async () => {
    const [url] = await start((peer) => {
      peer.handle('math.sum', sum);
      peer.handle('work', (_params, { peer: caller }) =>
        caller.request$('ui.confirm', ['ok?']).pipe(
          tap(() => caller.notify('work.step', ['after confirm'])),
          map(() => 'done'),
        ),
      );
    });
    // What each POST carrying the client's answer was answered: 202, no event stream.
    const answerStatuses: number[] = [];
    const recording: FetchLike = async (target, init) => {
      const response = await fetch(target, init);
      if (init.method === 'POST' && init.body.includes('"result"')) answerStatuses.push(response.status);
      return response;
    };
    const rpc = client(url, { sessionHeader: 'Mcp-Session-Id', standingStream: true, fetch: recording });
    rpc.handle('ui.confirm', () => true);
    // The session, and its standing stream, opened by a first call.
    expect(await rpc.request('math.sum', [1, 2])).toBe(3);
    await until(() => duplex(rpc));
    const steps: unknown[] = [];
    rpc.notifications$('work.step').subscribe((params) => steps.push(params));
    expect(await rpc.request('work')).toBe('done');
    await until(() => steps.length === 1);
    expect(steps).toEqual([['after confirm']]);
    expect(answerStatuses).toEqual([202]);
  });

  it('answers 404 for an unknown session id', async () => {
    const [url] = await start((peer) => peer.handle('x', () => 1));
    const answer = await post(url, call('x'), 'no-such-session');
    expect(answer.status).toBe(404);
  });

  it('ends a session on DELETE: its id then gets 404', async () => {
    let closed = 0;
    const [url, server] = await start((peer) => {
      peer.handle('x', () => 1);
      peer.state$.pipe(filter((state) => state.status === 'closed')).subscribe(() => closed++);
    });
    const { session } = await post(url, call('x'));
    const deleted = await fetch(url, { method: 'DELETE', headers: { 'mcp-session-id': session! } });
    expect(deleted.status).toBe(204);
    expect((await post(url, call('x'), session!)).status).toBe(404);
    await until(() => closed === 1);
    expect(server.peers.size).toBe(0);
  });

  it('ends a session left idle for idleTimeout', async () => {
    const [url, server] = await start((peer) => peer.handle('x', () => 1), { sessions: { idleTimeout: 50 } });
    const { session } = await post(url, call('x'));
    await until(() => server.peers.size === 0);
    expect((await post(url, call('x'), session!)).status).toBe(404);
  });

  it('refuses a session past maxSessions with 503', async () => {
    const [url] = await start((peer) => peer.handle('x', () => 1), { sessions: { maxSessions: 1 } });
    expect((await post(url, call('x'))).status).toBe(200);
    expect((await post(url, call('x'))).status).toBe(503);
  });

  it('works end to end with the mcp preset', async () => {
    const [url] = await start(
      (peer) => {
        peer.handle('initialize', () => ({ protocolVersion: '2025-06-18', capabilities: {} }));
        peer.handle('tools/call', async (_params, context) => {
          const answer = await context.peer.request('elicitation/create', { message: 'Name?' });
          return { content: [{ type: 'text', text: `hello ${String((answer as { name: string }).name)}` }] };
        });
      },
      { sessions: { opener: 'initialize' } },
    );
    const peer = connect(http(url, { mcp: true }), { dialect: mcp(), timeout: 5_000 });
    clients.push(peer);
    peer.handle('elicitation/create', () => ({ name: 'Ada' }));
    await peer.request('initialize', { protocolVersion: '2025-06-18', capabilities: {} });
    await expect(peer.request('tools/call', { name: 'greet' })).resolves.toEqual({
      content: [{ type: 'text', text: 'hello Ada' }],
    });
  });

  it('holds one standing stream per session: a second GET is answered 409', async () => {
    const [url] = await start((peer) => peer.handle('x', () => 1));
    const { session } = await post(url, call('x'));
    const headers = { accept: 'text/event-stream', 'mcp-session-id': session! };
    const controller = new AbortController();
    const first = await fetch(url, { headers, signal: controller.signal });
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('text/event-stream');
    expect((await fetch(url, { headers })).status).toBe(409);
    controller.abort();
  });

  it('refuses the GET and DELETE of a page from an origin not allowed, with 403', async () => {
    const [url] = await start((peer) => peer.handle('x', () => 1));
    const { session } = await post(url, call('x'));
    const headers = { 'mcp-session-id': session!, origin: 'https://evil.example' };
    expect((await fetch(url, { headers: { ...headers, accept: 'text/event-stream' } })).status).toBe(403);
    expect((await fetch(url, { method: 'DELETE', headers })).status).toBe(403);
    expect((await post(url, call('x', undefined, 2), session!)).status).toBe(200);
  });

  it('ends its sessions when the server closes, letting their calls finish', async () => {
    const [url, server] = await start((peer) =>
      peer.handle('slow', () => new Promise((resolve) => setTimeout(() => resolve('done'), 50))),
    );
    const peer = client(url);
    const answer = peer.request('slow');
    await until(() => server.peers.size === 1);
    await server.close({ drain: 1_000 });
    await expect(answer).resolves.toBe('done');
    expect(server.peers.size).toBe(0);
  });

  it('keeps sessions with serveHttp() mounted in a server of ones own', async () => {
    const rpc = serveHttp({ sessions: {} }, (peer) =>
      peer.handle('ask', async (_params, context) => context.peer.request('ui.name')),
    );
    servers.push(rpc);
    const httpServer = createServer(rpc.listener);
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}/`;
      const peer = client(url);
      peer.handle('ui.name', () => 'Ada');
      await expect(peer.request('ask')).resolves.toBe('Ada');
      expect(rpc.peers.size).toBe(1);
    } finally {
      await Promise.all(clients.splice(0).map((each) => each.close()));
      await new Promise((resolve) => httpServer.close(resolve));
    }
  });

  it('refuses a call id whose abandoned call has not answered yet, and never hands its late answer to another POST', async () => {
    const [url] = await start((peer) => {
      peer.handle('hello', () => 'hi');
      peer.handle(
        'slow',
        ([n]: [number]) => new Promise((resolve) => setTimeout(() => resolve(`answer ${n}`), n * 100)),
      );
    });
    const { session } = await post(url, call('hello'));
    // POST A carries call 5, and its client leaves before the answer; the handler runs on.
    const abandoned = new AbortController();
    const a = fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'mcp-session-id': session! },
      body: call('slow', [10], 5),
      signal: abandoned.signal,
    }).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    abandoned.abort();
    await a;
    await new Promise((resolve) => setTimeout(resolve, 20));
    const b = await post(url, call('slow', [1], 5), session!);
    expect(b).toMatchObject({ status: 400, text: 'Bad Request: call id 5 is in use in this session\n' });
    // Once A's call has answered (to nobody), the id is free again.
    let c = { status: 0, text: '' };
    await untilAsync(async () => (c = await post(url, call('slow', [1], 5), session!)).status === 200);
    expect(JSON.parse(c.text)).toEqual({ jsonrpc: '2.0', id: 5, result: 'answer 1' });
  });

  it('ends the POST of a call its client cancelled, in a dialect that answers cancelled calls with nothing (MCP)', async () => {
    let started = false;
    let aborted = false;
    const [url] = await start(
      (peer) => {
        peer.handle('hello', () => 'hi');
        peer.handle('hang', (_params, { signal }) => {
          started = true;
          signal.addEventListener('abort', () => (aborted = true));
          return new Promise(() => undefined);
        });
      },
      { peer: { dialect: mcp() } },
    );
    const { session } = await post(url, call('hello'));
    // The MCP SDK client cancels this way: a notification in a POST of its own, the call's POST left open.
    const hanging = post(url, call('hang', {}, 7), session!, { accept: 'application/json, text/event-stream' });
    await until(() => started);
    const cancel = {
      jsonrpc: '2.0',
      method: 'notifications/cancelled',
      params: { requestId: 7, reason: 'no longer needed' },
    };
    await expect(post(url, JSON.stringify(cancel), session!)).resolves.toMatchObject({ status: 202, text: '' });
    // No answer comes for it, as MCP says: its POST ends, with nothing, instead of holding the session busy.
    await expect(hanging).resolves.toMatchObject({ status: 202, text: '' });
    expect(aborted).toBe(true);
    // Its id is free again.
    const again = await post(url, call('hello', [], 7), session!);
    expect(JSON.parse(again.text)).toEqual({ jsonrpc: '2.0', id: 7, result: 'hi' });
  });

  describe('keeps a call id in use exactly as long as its call', () => {
    const cancel = (requestId: number) => ({
      jsonrpc: '2.0',
      method: 'notifications/cancelled',
      params: { requestId },
    });
    const slow = (id: number, ms: number, tag = `call ${id}`) => ({
      jsonrpc: '2.0',
      id,
      method: 'slow',
      params: [ms, tag],
    });
    const setup: SetupPeer = (peer) => {
      peer.handle('hello', () => 'hi');
      peer.handle(
        'slow',
        ([ms, tag]: [number, string]) => new Promise((resolve) => setTimeout(() => resolve(tag), ms)),
      );
    };
    const options: ServeOptions = { peer: { dialect: mcp(), maxBatchSize: 3 } };

    it('frees at once the ids of a body the peer refuses whole: a batch past maxBatchSize, an id no JSON-RPC id', async () => {
      const [url] = await start(setup, options);
      const { session } = await post(url, call('hello'));
      const batch = [1, 2, 3, 4].map((id) => slow(id, 0));
      const refused = await post(url, JSON.stringify(batch), session!);
      expect([refused.status, JSON.parse(refused.text)]).toEqual([
        200,
        { jsonrpc: '2.0', id: null, error: expect.objectContaining({ code: -32600 }) },
      ]);
      // 1e400 is Infinity to JSON.parse: no id the peer takes.
      const infinite = await post(url, '{"jsonrpc":"2.0","id":1e400,"method":"hello"}', session!);
      expect(infinite.status).toBe(200);
      expect(JSON.parse((await post(url, call('hello', [], 1), session!)).text)).toEqual({
        jsonrpc: '2.0',
        id: 1,
        result: 'hi',
      });
    });

    it('is not freed by a cancel that came before its call, in the same batch', async () => {
      const [url] = await start(setup, options);
      const { session } = await post(url, call('hello'));
      const started = Date.now();
      const both = post(url, JSON.stringify([cancel(1), slow(1, 300, 'old')]), session!);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect((await post(url, JSON.stringify(slow(1, 0, 'new')), session!)).status).toBe(400);
      const answered = await both;
      expect(JSON.parse(answered.text)).toEqual([{ jsonrpc: '2.0', id: 1, result: 'old' }]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    });

    it('is not freed by a cancel of a batch member that has answered, while the batch waits for another', async () => {
      const [url] = await start(setup, options);
      const { session } = await post(url, call('hello'));
      const batch = post(url, JSON.stringify([slow(10, 0, 'ten'), slow(11, 300, 'eleven')]), session!);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect((await post(url, JSON.stringify(cancel(10)), session!)).status).toBe(202);
      expect((await post(url, JSON.stringify(slow(10, 0, 'other')), session!)).status).toBe(400);
      expect(JSON.parse((await batch).text)).toEqual([
        { jsonrpc: '2.0', id: 10, result: 'ten' },
        { jsonrpc: '2.0', id: 11, result: 'eleven' },
      ]);
    });
  });

  it("sends a batch's answers whole after pushes filled its event stream, and reports the notifications not sent", async () => {
    const [url, server] = await start(
      (peer) => {
        peer.handle('ping', () => 'pong');
        peer.handle('flood', async ([n]: [number], { peer: caller }) => {
          for (let sent = 0; sent < n; sent++) {
            caller.notify('chunk', ['x'.repeat(65_536)]);
            await new Promise((resolve) => setImmediate(resolve));
          }
          return n;
        });
      },
      { highWaterMark: 65_536 },
    );
    const errors: RpcError[] = [];
    server.errors$.subscribe((error) => errors.push(error));
    const { session } = await post(url, call('ping'));
    const batch = JSON.stringify([JSON.parse(call('flood', [200], 2)), JSON.parse(call('ping', undefined, 3))]);
    // A client that reads nothing until its batch is answered: the stream fills (the kernel's buffers first).
    const answered = new Promise<IncomingMessage>((resolve, reject) => {
      const headers = {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': session!,
      };
      httpRequest(url, { method: 'POST', headers }, (response) => {
        response.pause();
        resolve(response);
      })
        .once('error', reject)
        .end(batch);
    });
    const response = await answered;
    await until(() => errors.length > 0);
    let text = '';
    response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    await new Promise((resolve) => response.resume().once('end', resolve));
    const events = text.split('\n\n').filter((event) => event !== '');
    expect(events.length).toBeLessThan(200);
    expect(JSON.parse(events.at(-1)!.replace('event: message\ndata: ', ''))).toEqual([
      { jsonrpc: '2.0', id: 3, result: 'pong' },
      { jsonrpc: '2.0', id: 2, result: 200 },
    ]);
    expect(errors.map(({ name, message }) => ({ name, message }))).toEqual([
      {
        name: 'TransportError',
        message:
          'Notifications to 127.0.0.1 not sent: the event stream of its POST is full (highWaterMark) or closed, ' +
          'and no standing stream of the session took them',
      },
    ]);
  }, 20_000);

  describe('when authenticate names who calls', () => {
    const options: ServeOptions = {
      authenticate: (request) => {
        const user = request.headers['x-user'];
        return typeof user === 'string' ? { user } : false;
      },
    };

    it('answers 404 to a POST, GET or DELETE that names the session of someone else, and keeps it', async () => {
      const [url] = await start((peer) => peer.handle('whoami', (_params, { session }) => session.user), options);
      const ada = { 'x-user': 'ada' };
      const bob = { 'x-user': 'bob' };
      const opened = await post(url, call('whoami'), undefined, ada);
      expect(opened).toMatchObject({ status: 200, text: '{"jsonrpc":"2.0","id":1,"result":"ada"}' });
      const session = opened.session!;
      expect((await post(url, call('whoami', undefined, 2), session, bob)).status).toBe(404);
      expect(await standingStatus(url, session, bob)).toBe(404);
      const deleted = await fetch(url, { method: 'DELETE', headers: { 'mcp-session-id': session, ...bob } });
      expect(deleted.status).toBe(404);
      expect(await deleted.text()).toBe('Not Found: no such session (it ended, or never was)\n');
      expect((await post(url, call('whoami', undefined, 3), session)).status).toBe(401);
      const again = await post(url, call('whoami', undefined, 4), session, ada);
      expect(again).toMatchObject({ status: 200, text: '{"jsonrpc":"2.0","id":4,"result":"ada"}' });
    });

    it('answers a request without credentials 401 alike for a live session id and an unknown one', async () => {
      const [url] = await start((peer) => peer.handle('whoami', (_params, { session }) => session.user), options);
      const { session } = await post(url, call('whoami'), undefined, { 'x-user': 'ada' });
      for (const id of [session!, randomUUID()]) {
        expect((await post(url, call('whoami', undefined, 2), id)).status).toBe(401);
        expect(await standingStatus(url, id)).toBe(401);
        expect((await fetch(url, { method: 'DELETE', headers: { 'mcp-session-id': id } })).status).toBe(401);
      }
    });

    it('keeps the session of a client whose handler changed what its authenticate result holds', async () => {
      const nested: ServeOptions = {
        authenticate: (request) => ({ user: { id: String(request.headers['x-user']) } }),
      };
      const [url] = await start((peer) => {
        peer.handle('touch', (_params, { session }) => {
          (session.user as { lastCall?: number }).lastCall = Date.now();
          return 'touched';
        });
      }, nested);
      const ada = { 'x-user': 'ada' };
      const { session } = await post(url, call('touch'), undefined, ada);
      expect((await post(url, call('touch', undefined, 2), session!, ada)).status).toBe(200);
      expect((await post(url, call('touch', undefined, 3), session!, { 'x-user': 'bob' })).status).toBe(404);
    });
  });

  describe('its standing stream', () => {
    it('writes a keepalive comment every keepAlive ms', async () => {
      const [url] = await start((peer) => peer.handle('x', () => 1), { sessions: { keepAlive: 20 } });
      const { session } = await post(url, call('x'));
      const controller = new AbortController();
      const response = await fetch(url, {
        headers: { accept: 'text/event-stream', 'mcp-session-id': session! },
        signal: controller.signal,
      });
      const reader = response.body!.getReader();
      let text = '';
      // Comments written close together may come in one read.
      for (let reads = 0; reads < 10 && text.length < 12; reads++) {
        text += new TextDecoder().decode((await reader.read()).value);
      }
      controller.abort();
      expect(text).toMatch(/^(: \n\n){3,}$/);
    });

    it('is cut when a push finds highWaterMark bytes waiting (its client does not read), and another may open', async () => {
      const [url, server] = await start((peer) => peer.handle('x', () => 1), {
        highWaterMark: 65_536,
        sessions: { keepAlive: 0 },
      });
      const { session } = await post(url, call('x'));
      const unread = await unreadStanding(url, session!);
      expect(await standingStatus(url, session!)).toBe(409);
      // Far more than the kernel's buffers take (a few MiB on loopback).
      await flood(server, 200);
      await untilAsync(async () => (await standingStatus(url, session!)) === 200);
      unread.socket.destroy();
    }, 20_000);

    it('is cut when its bytes wait unsent from one keepalive to the next', async () => {
      const [url, server] = await start((peer) => peer.handle('x', () => 1), { sessions: { keepAlive: 100 } });
      const { session } = await post(url, call('x'));
      const unread = await unreadStanding(url, session!);
      expect(await standingStatus(url, session!)).toBe(409);
      // 8 MiB: more than the kernel's buffers take, less than highWaterMark (16 MiB).
      await flood(server, 128);
      await untilAsync(async () => (await standingStatus(url, session!)) === 200);
      unread.socket.destroy();
    }, 20_000);

    it('is not held by a GET whose client left while authenticate ran: the next GET opens it', async () => {
      let gets = 0;
      let admitted = false;
      const [url] = await start((peer) => peer.handle('x', () => 1), {
        // The first GET is let in only once its client has left.
        authenticate: (request) => {
          if (request.method !== 'GET' || ++gets > 1) return true;
          return new Promise((resolve) =>
            request.socket.once('close', () => {
              admitted = true;
              resolve(true);
            }),
          );
        },
      });
      const { session } = await post(url, call('x'));
      const leaving = httpRequest(url, { headers: { accept: 'text/event-stream', 'mcp-session-id': session! } });
      leaving.once('error', () => undefined).end();
      setTimeout(() => leaving.destroy(), 50);
      await until(() => admitted);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await standingStatus(url, session!)).toBe(200);
    });

    it('keeps its session past idleTimeout while it is read', async () => {
      let setups = 0;
      const [url, server] = await start(
        (peer) => {
          setups++;
          peer.handle('math.sum', sum);
        },
        { sessions: { idleTimeout: 300, keepAlive: 20 } },
      );
      const peer = client(url, { sessionHeader: 'Mcp-Session-Id', standingStream: true });
      expect(await peer.request('math.sum', [1, 2])).toBe(3);
      await until(() => duplex(peer));
      await new Promise((resolve) => setTimeout(resolve, 900));
      expect(server.peers.size).toBe(1);
      expect(await peer.request('math.sum', [3, 4])).toBe(7);
      expect(setups).toBe(1);
    });

    it('ends its session idleTimeout after it closed', async () => {
      const [url, server] = await start((peer) => peer.handle('x', () => 1), { sessions: { idleTimeout: 300 } });
      const { session } = await post(url, call('x'));
      const unread = await unreadStanding(url, session!);
      expect(unread.statusCode).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(server.peers.size).toBe(1);
      unread.socket.destroy();
      await until(() => server.peers.size === 0);
      expect((await post(url, call('x'), session!)).status).toBe(404);
    });

    it('gives the place of a session that had no request for idleTimeout to a new one, when maxSessions are open', async () => {
      const [url] = await start((peer) => peer.handle('x', () => 1), {
        sessions: { maxSessions: 1, idleTimeout: 300 },
      });
      const first = await post(url, call('x'));
      const unread = await unreadStanding(url, first.session!);
      expect(unread.statusCode).toBe(200);
      expect((await post(url, call('x'))).status).toBe(503);
      await new Promise((resolve) => setTimeout(resolve, 400));
      const second = await post(url, call('x'));
      expect(second.status).toBe(200);
      expect((await post(url, call('x', undefined, 2), first.session!)).status).toBe(404);
      expect((await post(url, call('x', undefined, 2), second.session!)).status).toBe(200);
      unread.socket.destroy();
    });
  });

  it('leaves the peer-per-POST behaviour as it was without the option', async () => {
    const server = await serve({ port: 0 }, (peer) => peer.handle('x', () => 1));
    servers.push(server);
    const answer = await post(server.url!.replace('ws:', 'http:'), call('x'));
    expect(answer.status).toBe(200);
    expect(answer.session).toBeNull();
  });
});
