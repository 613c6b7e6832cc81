// Servers send JSON-RPC error answers with HTTP 400, 404 or 500 (some use 400 for every
// error). The answer wins over the status: the caller gets the server's JsonRpcError, the
// status kept in its `cause`, and the retry recipe does not run the call a second time.
import { retry, throwError, timer } from 'rxjs';
import { batch, connect, http, isRetryable, JsonRpcError, type Peer, TransportError } from 'rx-jsonrpc';
import { closeAllHttp, startHttpServer, type Received } from '../helpers/http-server';

const peers: Peer[] = [];
afterEach(async () => {
  for (const peer of peers.splice(0)) peer.close();
  await closeAllHttp();
});

function over(url: string): Peer {
  const peer = connect(http(url), { timeout: 5_000 });
  peers.push(peer);
  return peer;
}

/** A server that fails every call with -32601, sent with `status`. */
async function failingWith(status: number) {
  return startHttpServer(({ body }: Received, response) => {
    const calls = [JSON.parse(body)].flat() as { id: number; method: string }[];
    const answers = calls.map(({ id, method }) => ({
      jsonrpc: '2.0',
      id,
      error: { code: -32601, message: `Method not found: ${method}` },
    }));
    const single = !body.trimStart().startsWith('[');
    response
      .writeHead(status, { 'content-type': 'application/json' })
      .end(JSON.stringify(single ? answers[0] : answers));
  });
}

/** The documented retry recipe, counting nothing itself: the server counts the POSTs. */
const withRetry = <T>(peer: Peer, method: string) =>
  new Promise<T>((resolve, reject) =>
    peer
      .request$<T>(method)
      .pipe(retry({ count: 3, delay: (error) => (isRetryable(error) ? timer(10) : throwError(() => error)) }))
      .subscribe({ next: resolve, error: reject }),
  );

describe('a JSON-RPC error answer sent with an HTTP error status', () => {
  it.each([400, 404, 500])('with %i is the server’s JsonRpcError, the status in its cause', async (status) => {
    const server = await failingWith(status);
    const error = await over(server.url)
      .request('nope')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JsonRpcError);
    expect(error).toMatchObject({
      code: -32601,
      message: 'Request 1 (nope) failed: Method not found: nope (-32601)',
      remoteMessage: 'Method not found: nope',
      retryable: false,
    });
    const cause = (error as JsonRpcError).cause;
    expect(cause).toBeInstanceOf(TransportError);
    expect(cause).toMatchObject({ status, message: expect.stringMatching(new RegExp(`^HTTP ${status}`)) });
  });

  it('is not sent again by the retry recipe: a 500 call runs once', async () => {
    const server = await failingWith(500);
    await expect(withRetry(over(server.url), 'charge')).rejects.toBeInstanceOf(JsonRpcError);
    expect(server.received).toHaveLength(1);
  });

  it('with 429 or 503 is retryable: the status says the call was not run, so the retry recipe sends it again', async () => {
    let posts = 0;
    const server = await startHttpServer(({ body }, response) => {
      const { id } = JSON.parse(body) as { id: number };
      if (++posts < 3) {
        const error = { code: -32005, message: 'rate limited' };
        response.writeHead(posts === 1 ? 429 : 503).end(JSON.stringify({ jsonrpc: '2.0', id, error }));
      } else response.end(JSON.stringify({ jsonrpc: '2.0', id, result: 'ok' }));
    });
    const peer = over(server.url);
    const first = await peer.request('read').catch((e: unknown) => e);
    expect(first).toMatchObject({ name: 'JsonRpcError', code: -32005, retryable: true, cause: { status: 429 } });
    await expect(withRetry(peer, 'read')).resolves.toBe('ok');
    expect(server.received).toHaveLength(3);
  });

  it('gives each member of a batch its own answer', async () => {
    const server = await failingWith(400);
    const [a, b] = await batch(over(server.url), (m) => [m.request('a'), m.request('b')]);
    expect(a).toMatchObject({
      ok: false,
      error: { code: -32601, message: 'Request 1 (a) failed: Method not found: a (-32601)' },
    });
    expect(b).toMatchObject({
      ok: false,
      error: { code: -32601, message: 'Request 2 (b) failed: Method not found: b (-32601)' },
    });
  });

  it('without an id answers the whole POST: its calls fail with it, not with "no answer"', async () => {
    const server = await startHttpServer((_, response) =>
      response
        .writeHead(400)
        .end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } })),
    );
    const error = await over(server.url)
      .request('x')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'JsonRpcError', code: -32700, cause: { status: 400 } });
  });
});

describe('an error without an id sent with 200', () => {
  it('answers its POST however long it is, and leaves another POST’s batch alone', async () => {
    const server = await startHttpServer(({ body }, response) => {
      if (body.startsWith('[')) {
        const calls = JSON.parse(body) as { id: number; method: string }[];
        const answers = calls.map(({ id, method }) => ({ jsonrpc: '2.0', id, result: method }));
        setTimeout(() => response.end(JSON.stringify(answers)), 100);
        return;
      }
      const error = { code: -32603, message: 'Internal error', data: { stack: 'x'.repeat(5_000) } };
      response.end(JSON.stringify({ jsonrpc: '2.0', id: null, error }));
    });
    const peer = over(server.url);
    const outcomes = batch(peer, (b) => [b.request('a'), b.request('b')]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await expect(peer.request('x')).rejects.toMatchObject({ name: 'JsonRpcError', code: -32603 });
    expect(await outcomes).toEqual([
      { ok: true, value: 'a' },
      { ok: true, value: 'b' },
    ]);
  });

  it('answers its POST: the call fails with it, not with "no answer"', async () => {
    const server = await startHttpServer((_, response) =>
      response.end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Invalid Request' } })),
    );
    const error = await over(server.url)
      .request('x')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JsonRpcError);
    expect(error).toMatchObject({ code: -32600, retryable: false });
    expect((error as JsonRpcError).cause).toBeUndefined();
  });
});

describe('an HTTP error status with a body that is not quite JSON-RPC', () => {
  it.each([
    [503, { jsonrpc: '2.0', id: 1, error: 'Service Unavailable' }],
    [429, { jsonrpc: '2.0', id: 1 }],
  ])('%i %j is a TransportError with the status, retryable', async (status, body) => {
    const server = await startHttpServer((_, response) => response.writeHead(status).end(JSON.stringify(body)));
    const error = await over(server.url)
      .request('x')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ status, retryable: true });
  });

  it('answering another id fails the call with the status, not with "no answer"', async () => {
    const server = await startHttpServer((_, response) =>
      response.writeHead(500).end(JSON.stringify({ jsonrpc: '2.0', id: 99, error: { code: -32000, message: 'x' } })),
    );
    const error = await over(server.url)
      .request('x')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'TransportError', status: 500, retryable: false });
  });
});

describe('an HTTP error status without a JSON-RPC body', () => {
  it.each([
    [500, '<html>Internal Server Error</html>', false],
    [502, 'Bad Gateway', false],
    [503, 'try later', true],
    [429, '', true],
    [400, '{"error":"bad"}', false],
  ])('%i %j is a TransportError, retryable: %s', async (status, body, retryable) => {
    const server = await startHttpServer((_, response) => response.writeHead(status).end(body));
    const error = await over(server.url)
      .request('x')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ status, retryable });
  });

  it('is sent again by the retry recipe only when the status says the call was not run', async () => {
    let posts = 0;
    const server = await startHttpServer(({ body }, response) => {
      const { id } = JSON.parse(body) as { id: number };
      if (++posts < 3) response.writeHead(503).end();
      else response.end(JSON.stringify({ jsonrpc: '2.0', id, result: 'ok' }));
    });
    await expect(withRetry(over(server.url), 'read')).resolves.toBe('ok');
    expect(server.received).toHaveLength(3);
  });
});
