import type { ServerResponse } from 'node:http';
import { connect, http, type Peer } from 'rx-jsonrpc';
import { closeAllHttp, startHttpServer, type Received } from '../helpers/http-server';

// Resuming the event stream that answers a POST: after a clean end before the answer (MCP
// polling, spec 2025-11-25), and through resume GETs that fail for a while.

const peers: Peer[] = [];
afterEach(async () => {
  for (const peer of peers.splice(0)) await peer.close();
  await closeAllHttp();
});

function over(url: string, peerOptions?: Parameters<typeof connect>[1]): Peer {
  const peer = connect(http(url), peerOptions);
  peers.push(peer);
  return peer;
}

const event = (message: object, id?: string) =>
  `${id === undefined ? '' : `id: ${id}\n`}data: ${JSON.stringify(message)}\n\n`;
const sse = (response: ServerResponse) => response.writeHead(200, { 'content-type': 'text/event-stream' });
const answer = (result: unknown) => event({ jsonrpc: '2.0', id: 1, result }, 'e9');
/** A POST answered with a priming event (an id and no data) and a clean close: MCP's polling. */
const primeAndClose = (response: ServerResponse, retry = 0) => sse(response).end(`id: e1\nretry: ${retry}\ndata: \n\n`);
const gets = (received: Received[]) => received.filter((r) => r.request.method === 'GET');
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('http() resuming an answer stream', () => {
  describe('when the server ends it cleanly after an event id, before the answer', () => {
    it('resumes it with a GET and Last-Event-ID after the retry: time, and gets the answer', async () => {
      const seenAt: number[] = [];
      const server = await startHttpServer((received, response) => {
        seenAt.push(Date.now());
        if (received.request.method === 'POST') return primeAndClose(response, 300);
        sse(response).end(answer('resumed'));
      });
      await expect(over(server.url).request('x')).resolves.toBe('resumed');
      const [post, get] = server.received.map((r) => r.request);
      expect([post!.method, get!.method, get!.headers['last-event-id']]).toEqual(['POST', 'GET', 'e1']);
      expect(seenAt[1]! - seenAt[0]!).toBeGreaterThanOrEqual(290);
      expect(server.received).toHaveLength(2);
    });

    it('waits 250 ms at least, whatever retry: says, and polls again until the answer comes', async () => {
      const seenAt: number[] = [];
      const server = await startHttpServer((received, response) => {
        seenAt.push(Date.now());
        if (seenAt.length < 3) return primeAndClose(response, 0);
        sse(response).end(answer('third'));
      });
      await expect(over(server.url).request('x')).resolves.toBe('third');
      expect(gets(server.received)).toHaveLength(2);
      expect(seenAt[1]! - seenAt[0]!).toBeGreaterThanOrEqual(240);
      expect(seenAt[2]! - seenAt[1]!).toBeGreaterThanOrEqual(240);
    });

    it('waits a retry: longer than a timer can, instead of resuming at once', async () => {
      const server = await startHttpServer((_received, response) => primeAndClose(response, 9_999_999_999));
      await expect(over(server.url, { timeout: 600 }).request('x')).rejects.toMatchObject({
        name: 'RequestTimeoutError',
      });
      // A timer past 2^31 - 1 ms fires at once: that made 100 GETs in a few hundred ms.
      expect(gets(server.received)).toHaveLength(0);
    });

    it('resumes it after notifications too: they are no answer', async () => {
      const server = await startHttpServer((received, response) => {
        if (received.request.method === 'GET') return sse(response).end(answer('done'));
        sse(response).end(`retry: 0\n${event({ jsonrpc: '2.0', method: 'progress', params: [50] }, 'e1')}`);
      });
      const peer = over(server.url);
      const progress: unknown[] = [];
      peer.notifications$('progress').subscribe((params) => progress.push(params));
      await expect(peer.request('x')).resolves.toBe('done');
      expect(progress).toEqual([[50]]);
      expect(gets(server.received)).toHaveLength(1);
    });

    it('does not resume a stream that brought its answer, whatever the answer holds', async () => {
      const result = { method: 'an answer may name a method' };
      const server = await startHttpServer((_, response) => sse(response).end(`retry: 0\n${answer(result)}`));
      await expect(over(server.url).request('x')).resolves.toEqual(result);
      await pause(300);
      expect(gets(server.received)).toHaveLength(0);
    });

    it('takes data that is not JSON as no reason to resume', async () => {
      const server = await startHttpServer((_, response) => sse(response).end('id: e1\nretry: 0\ndata: {"method"\n\n'));
      await expect(over(server.url, { timeout: 0 }).request('x')).rejects.toMatchObject({
        name: 'ProtocolError',
        message: 'Request 1 (x) got no answer in the response to it',
      });
      await pause(300);
      expect(gets(server.received)).toHaveLength(0);
    });
  });

  describe('when the call goes away while it waits to resume', () => {
    it('stops waiting: no GET is sent, nothing is left pending', async () => {
      const server = await startHttpServer((_, response) => primeAndClose(response, 500));
      const peer = over(server.url);
      const subscription = peer.request$('x').subscribe({ error: () => undefined });
      await pause(100);
      subscription.unsubscribe();
      await pause(700);
      expect([server.received.length, peer.pendingCount]).toEqual([1, 0]);
    });
  });

  describe('when a resume GET fails', () => {
    it('tries again after a 5xx or a GET that got no response, and gets the answer', async () => {
      const server = await startHttpServer((received, response) => {
        const n = server.received.length;
        // The stream drops after an event id (no clean end): resumed before any of these fixes.
        if (n === 1) return void sse(response).write('id: e1\nretry: 0\ndata: \n\n', () => response.destroy());
        if (n === 2) return response.writeHead(503).end('restarting');
        if (n === 3) return received.request.socket.destroy();
        sse(response).end(answer('after all'));
      });
      await expect(over(server.url).request('x')).resolves.toBe('after all');
      expect(gets(server.received).map((r) => r.request.headers['last-event-id'])).toEqual(['e1', 'e1', 'e1']);
    });

    it.each([408, 429, 500])('tries again after a %i', async (status) => {
      const server = await startHttpServer((_, response) => {
        const n = server.received.length;
        if (n === 1) return primeAndClose(response);
        if (n === 2) return response.writeHead(status).end();
        sse(response).end(answer('ok'));
      });
      await expect(over(server.url).request('x')).resolves.toBe('ok');
      expect(gets(server.received)).toHaveLength(2);
    });

    it.each([404, 400, 403])('fails the call at once on a %i', async (status) => {
      const server = await startHttpServer((_, response) =>
        server.received.length === 1 ? primeAndClose(response) : response.writeHead(status).end(),
      );
      await expect(over(server.url).request('x')).rejects.toMatchObject({
        name: 'TransportError',
        status,
        retryable: false,
        message: `Request 1 (x) failed: GET ${server.url} for an event stream got HTTP ${status}`,
      });
      await pause(300);
      expect(gets(server.received)).toHaveLength(1);
    });

    it('tries again 3 times in a row at most, then fails with the last failure', async () => {
      const server = await startHttpServer((_, response) =>
        server.received.length === 1 ? primeAndClose(response) : response.writeHead(503).end(),
      );
      await expect(over(server.url).request('x')).rejects.toMatchObject({
        name: 'TransportError',
        status: 503,
        retryable: true,
        message: `Request 1 (x) failed: GET ${server.url} for an event stream got HTTP 503`,
      });
      await pause(300);
      expect(gets(server.received)).toHaveLength(4);
    });
  });
});

describe('http() reading an event stream from a fetch without body streams', () => {
  it('reads it whole with text(), then resumes it the same way', async () => {
    const texts = ['id: e1\nretry: 0\ndata: \n\n', answer('from text()')];
    const fetch = async () => {
      const text = texts.shift()!;
      return { status: 200, headers: { get: () => 'text/event-stream' }, text: async () => text };
    };
    const peer = connect(http('http://example.invalid/rpc', { fetch }));
    peers.push(peer);
    await expect(peer.request('x')).resolves.toBe('from text()');
    expect(texts).toEqual([]);
  });
});

describe('http() polling a server that never answers', () => {
  afterEach(() => jest.useRealTimers());

  it('resumes 100 times at most, 250 ms apart, then fails the call', async () => {
    jest.useFakeTimers();
    const requests: string[] = [];
    const at: number[] = [];
    // A fetch of its own: 100 waits of 250 ms on a real clock would take 25 s.
    const fetch = async (_url: string, init: { method: string }) => {
      requests.push(init.method);
      at.push(Date.now());
      const text = `id: e${requests.length}\nretry: 0\ndata: \n\n`;
      const body = new Response(text).body;
      return { status: 200, headers: { get: () => 'text/event-stream' }, body, text: async () => text };
    };
    const peer = connect(http('http://example.invalid/rpc', { fetch }), { timeout: 0 });
    let outcome: unknown;
    peer.request('x').catch((error: unknown) => (outcome = error));
    for (let ms = 0; ms < 30_000 && outcome === undefined; ms += 50) await jest.advanceTimersByTimeAsync(50);
    expect(outcome).toMatchObject({
      name: 'TransportError',
      message: 'Request 1 (x) failed: The event stream from http://example.invalid/rpc ended unanswered 100 times',
    });
    expect(requests.filter((method) => method === 'GET')).toHaveLength(100);
    expect(Math.min(...at.slice(1).map((t, i) => t - at[i]!))).toBeGreaterThanOrEqual(250);
    jest.useRealTimers();
    await peer.close();
  });
});
