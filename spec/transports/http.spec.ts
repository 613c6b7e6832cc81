import { batch, connect, http, ProtocolError, TransportError, type Peer, type RpcError } from 'rx-jsonrpc';
import { closeAllHttp, echoMethods, startHttpServer } from '../helpers/http-server';

const peers: Peer[] = [];
afterEach(async () => {
  for (const peer of peers.splice(0)) peer.close();
  await closeAllHttp();
});

function over(url: string, options?: Parameters<typeof http>[1], peerOptions?: Parameters<typeof connect>[1]): Peer {
  const peer = connect(http(url, options), peerOptions);
  peers.push(peer);
  return peer;
}

describe('http', () => {
  it('POSTs each call as JSON and routes the answer', async () => {
    const server = await startHttpServer(echoMethods);
    await expect(over(server.url).request('math.sum', [1, 2])).resolves.toBe('math.sum');
    const { request, body } = server.received[0]!;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/rpc');
    expect(request.headers['content-type']).toBe('application/json');
    expect(JSON.parse(body)).toEqual({ jsonrpc: '2.0', id: 1, method: 'math.sum', params: [1, 2] });
  });

  it('sends the headers given, fresh for each request when given as a function', async () => {
    const server = await startHttpServer(echoMethods);
    let n = 0;
    const peer = over(server.url, { headers: () => ({ 'x-request': String(++n) }) });
    await peer.request('a');
    await peer.request('b');
    expect(server.received.map((r) => r.request.headers['x-request'])).toEqual(['1', '2']);
  });

  it.each([
    [{ bearer: 'tok3n' }, 'Bearer tok3n'],
    [{ username: 'ada', password: 'pässword' }, `Basic ${Buffer.from('ada:pässword').toString('base64')}`],
  ])('sends authorization %j', async (auth, expected) => {
    const server = await startHttpServer(echoMethods);
    await over(server.url, { auth }).request('x');
    expect(server.received[0]!.request.headers.authorization).toBe(expected);
  });

  it('sends a batch as one POST and routes each answer', async () => {
    const server = await startHttpServer(echoMethods);
    const results = await batch(over(server.url), (b) => [b.request('a'), b.notify('n'), b.request('b')]);
    expect(results).toEqual([
      { ok: true, value: 'a' },
      { ok: true, value: undefined },
      { ok: true, value: 'b' },
    ]);
    expect(server.received).toHaveLength(1);
  });

  it('takes a 204 or an empty body as the answer to a notification', async () => {
    const server = await startHttpServer((received, response) =>
      received.body.includes('"quiet"') ? response.writeHead(200).end() : response.writeHead(204).end(),
    );
    const peer = over(server.url);
    const reported: RpcError[] = [];
    peer.errors$.subscribe((e) => reported.push(e));
    peer.notify('log', ['x']);
    peer.notify('quiet');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.received).toHaveLength(2);
    expect(reported).toEqual([]);
  });

  it('fails the call with TransportError carrying the status and the body', async () => {
    const server = await startHttpServer((_, response) => response.writeHead(503, 'Busy').end('try later'));
    const error = await over(server.url)
      .request('x')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({
      status: 503,
      retryable: true,
      message: `Request 1 (x) failed: HTTP 503 Busy from ${server.url}: try later`,
      method: 'x',
      id: 1,
    });
  });

  it('marks a 401 as not retryable', async () => {
    const server = await startHttpServer((_, response) => response.writeHead(401).end());
    await expect(over(server.url).request('x')).rejects.toMatchObject({ status: 401, retryable: false });
  });

  it('fails the call with TransportError when nothing answers', async () => {
    const server = await startHttpServer(echoMethods);
    const url = server.url;
    await server.close();
    const error = await over(url)
      .request('x')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as Error).message).toMatch(new RegExp(`^Request 1 \\(x\\) failed: HTTP request to ${url} failed`));
  });

  it('fails a call the response does not answer, at once', async () => {
    const server = await startHttpServer((_, response) => response.writeHead(200).end(''));
    const error = await over(server.url, {}, { timeout: 0 })
      .request('x')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as Error).message).toBe('Request 1 (x) got no answer in the response to it');
  });

  it('aborts the request when the call is unsubscribed', async () => {
    let aborted!: () => void;
    const abortSeen = new Promise<void>((resolve) => (aborted = resolve));
    const server = await startHttpServer((received) => received.request.socket.once('close', aborted));
    const peer = over(server.url);
    const subscription = peer.request$('slow').subscribe({ error: () => undefined });
    await new Promise((resolve) => setTimeout(resolve, 30));
    subscription.unsubscribe();
    await abortSeen;
    expect(peer.pendingCount).toBe(0);
  });

  it('uses the fetch given', async () => {
    const calls: string[] = [];
    const fetch: Parameters<typeof http>[1] extends infer O
      ? NonNullable<O> extends { fetch?: infer F }
        ? F
        : never
      : never = async (url, init) => {
      calls.push(`${init.method} ${url}`);
      const { id } = JSON.parse(init.body) as { id: number };
      return { status: 200, text: async () => JSON.stringify({ jsonrpc: '2.0', id, result: 'from fetch' }) };
    };
    await expect(over('http://example.invalid/rpc', { fetch }).request('x')).resolves.toBe('from fetch');
    expect(calls).toEqual(['POST http://example.invalid/rpc']);
  });

  describe('when a 2xx body is not JSON', () => {
    const posts = (server: { received: unknown[] }) => server.received.length;
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

    it.each([
      ['text/plain', 'Accepted'],
      ['text/html; charset=utf-8', '<html><body>Welcome</body></html>'],
      ['application/json', '"Accepted"'],
      [undefined, 'OK'],
    ])('fails the call with a TransportError for %s %j, and sends nothing back', async (type, text) => {
      const server = await startHttpServer((_, response) =>
        response.writeHead(200, 'OK', type === undefined ? {} : { 'content-type': type }).end(text),
      );
      const peer = over(server.url);
      const reported: RpcError[] = [];
      peer.errors$.subscribe((e) => reported.push(e));
      const error = await peer.request('x').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransportError);
      expect(error).toMatchObject({
        status: 200,
        retryable: false,
        message: `Request 1 (x) failed: HTTP 200 OK from ${server.url} is not JSON (${type ?? 'no content type'}): ${text}`,
      });
      await pause(100);
      expect([posts(server), reported]).toEqual([1, []]);
    });

    it.each(['text/html; charset=UTF-8', 'text/plain'])(
      'still takes a JSON-RPC answer sent as %s (PHP answers so by default)',
      async (type) => {
        const server = await startHttpServer((_, response) =>
          response.writeHead(200, { 'content-type': type }).end('{"jsonrpc":"2.0","id":1,"result":42}'),
        );
        await expect(over(server.url).request('x')).resolves.toBe(42);
      },
    );

    it('cuts the body short in the message', async () => {
      const server = await startHttpServer((_, response) =>
        response.writeHead(200, { 'content-type': 'text/html' }).end(`<html>${'x'.repeat(300)}</html>`),
      );
      await expect(over(server.url).request('x')).rejects.toMatchObject({
        message: `Request 1 (x) failed: HTTP 200 OK from ${server.url} is not JSON (text/html): <html>${'x'.repeat(194)}…`,
      });
    });

    it('ignores the body of a 202: a notification is fine, a call gets no answer', async () => {
      const server = await startHttpServer((_, response) =>
        response.writeHead(202, { 'content-type': 'text/plain' }).end('Accepted'),
      );
      const peer = over(server.url, {}, { timeout: 0 });
      const reported: RpcError[] = [];
      peer.errors$.subscribe((e) => reported.push(e));
      peer.notify('log');
      await expect(peer.request('x')).rejects.toMatchObject({
        name: 'ProtocolError',
        message: 'Request 1 (x) got no answer in the response to it',
      });
      await pause(100);
      expect([posts(server), reported]).toEqual([2, []]);
    });

    it('hands a JSON object that is no answer to the peer, which reports it', async () => {
      const server = await startHttpServer((_, response) =>
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"jsonrpc":"2.0","id":null}'),
      );
      const peer = over(server.url, {}, { timeout: 0 });
      const reported: RpcError[] = [];
      peer.errors$.subscribe((e) => reported.push(e));
      await expect(peer.request('x')).rejects.toMatchObject({
        name: 'ProtocolError',
        message: 'Request 1 (x) got no answer in the response to it',
      });
      expect(reported.map((e) => e.name)).toEqual(['ProtocolError']);
      expect(posts(server)).toBe(1);
    });

    it('reads an answer of any JSON content type', async () => {
      const server = await startHttpServer((received, response) =>
        response
          .writeHead(200, { 'content-type': 'application/json-rpc; charset=utf-8' })
          .end(JSON.stringify({ jsonrpc: '2.0', id: (JSON.parse(received.body) as { id: number }).id, result: 'ok' })),
      );
      await expect(over(server.url).request('x')).resolves.toBe('ok');
    });
  });

  describe('when a response is larger than maxFrameSize', () => {
    it('refuses a Content-Length over it before reading the body, with a TransportError that is not retryable', async () => {
      let closed!: () => void;
      const closedSeen = new Promise<void>((resolve) => (closed = resolve));
      const server = await startHttpServer((received, response) => {
        response.writeHead(200, { 'content-length': '2000' }).write('x'.repeat(100));
        received.request.socket.once('close', closed);
      });
      const error = await over(server.url, { maxFrameSize: 1000 })
        .request('x')
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransportError);
      expect(error).toMatchObject({
        message: `Request 1 (x) failed: The response from ${server.url} announces 2000 bytes, more than maxFrameSize (1000 bytes): request aborted`,
        status: 200,
        retryable: false,
      });
      await closedSeen;
    });

    it('aborts a body streamed past it as soon as it passes', async () => {
      let written = 0;
      let closed!: () => void;
      const closedSeen = new Promise<void>((resolve) => (closed = resolve));
      const server = await startHttpServer((received, response) => {
        response.writeHead(200);
        const timer = setInterval(() => {
          written += 1000;
          response.write('x'.repeat(1000));
        }, 1);
        received.request.socket.once('close', () => {
          clearInterval(timer);
          closed();
        });
      });
      const error = await over(server.url, { maxFrameSize: 5000 })
        .request('x')
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransportError);
      expect(error).toMatchObject({
        message: `Request 1 (x) failed: The response from ${server.url} is larger than maxFrameSize (5000 bytes): request aborted`,
        retryable: false,
      });
      await closedSeen;
      expect(written).toBeLessThan(20_000);
    });

    it('reads a body of exactly maxFrameSize bytes', async () => {
      const answer = JSON.stringify({ jsonrpc: '2.0', id: 1, result: 'fits' });
      const server = await startHttpServer((_, response) => response.writeHead(200).end(answer));
      await expect(over(server.url, { maxFrameSize: Buffer.byteLength(answer) }).request('x')).resolves.toBe('fits');
    });

    it('fails only the calls of that frame', async () => {
      const server = await startHttpServer((received, response) =>
        received.body.includes('"big"')
          ? response.writeHead(200).end('x'.repeat(2000))
          : echoMethods(received, response),
      );
      const peer = over(server.url, { maxFrameSize: 1000 });
      await expect(peer.request('big')).rejects.toBeInstanceOf(TransportError);
      await expect(peer.request('small')).resolves.toBe('small');
    });
  });

  describe('with a fetch of its own', () => {
    const answer = (result: string) => JSON.stringify({ jsonrpc: '2.0', id: 1, result });
    const bytesOf = (text: string) => new TextEncoder().encode(text);
    const streamOf = (chunks: Uint8Array[]) =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (const chunk of chunks) controller.enqueue(chunk);
          controller.close();
        },
      });

    it('decodes UTF-8 characters split across chunks', async () => {
      const bytes = bytesOf(answer('héllo 🌍'));
      const at = bytes.indexOf(0xc3) + 1;
      const emoji = bytes.indexOf(0xf0) + 2;
      const body = streamOf([bytes.slice(0, at), bytes.slice(at, emoji), bytes.slice(emoji)]);
      const fetch = async () => ({ status: 200, body, text: async () => 'unused' });
      await expect(over('http://example.invalid/rpc', { fetch }).request('x')).resolves.toBe('héllo 🌍');
    });

    it('counts the bytes of the stream, not its characters', async () => {
      const text = answer('ééééé');
      const fetch = async () => ({ status: 200, body: streamOf([bytesOf(text)]), text: async () => text });
      const error = await over('http://example.invalid/rpc', { fetch, maxFrameSize: text.length })
        .request('x')
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'TransportError', retryable: false });
    });

    it('checks a body read with text() alone after reading it, counting its UTF-8 bytes', async () => {
      const text = answer('ééééé');
      const fetch = async () => ({ status: 200, text: async () => text });
      const limit = bytesOf(text).length;
      await expect(over('http://example.invalid/rpc', { fetch, maxFrameSize: limit }).request('x')).resolves.toBe(
        'ééééé',
      );
      const error = await over('http://example.invalid/rpc', { fetch, maxFrameSize: limit - 1 })
        .request('x')
        .catch((e: unknown) => e);
      expect(error).toMatchObject({
        name: 'TransportError',
        message: `Request 1 (x) failed: The response from http://example.invalid/rpc is larger than maxFrameSize (${limit - 1} bytes): request aborted`,
      });
    });

    it('refuses a text() body with more characters than maxFrameSize without encoding it', async () => {
      const text = answer('x'.repeat(100));
      const fetch = async () => ({ status: 200, headers: { get: () => null }, text: async () => text });
      await expect(over('http://example.invalid/rpc', { fetch, maxFrameSize: 50 }).request('x')).rejects.toMatchObject({
        name: 'TransportError',
        retryable: false,
      });
    });

    it('keeps a 4xx whose body fails while read not retryable', async () => {
      const body = new ReadableStream<Uint8Array>({ pull: (controller) => controller.error(new Error('reset')) });
      const fetch = async () => ({ status: 400, body, text: async () => '' });
      await expect(over('http://example.invalid/rpc', { fetch }, { timeout: 0 }).request('x')).rejects.toMatchObject({
        name: 'TransportError',
        status: 400,
        retryable: false,
      });
    });

    it.each([
      [200, false],
      [503, true],
    ])(
      'fails the calls of a %i body that fails while read, at once, retryable only if the status says the call was not run',
      async (status, retryable) => {
        const body = new ReadableStream<Uint8Array>({ pull: (controller) => controller.error(new Error('reset')) });
        const fetch = async () => ({ status, body, text: async () => '' });
        await expect(over('http://example.invalid/rpc', { fetch }, { timeout: 0 }).request('x')).rejects.toMatchObject({
          name: 'TransportError',
          message: 'Request 1 (x) failed: The response from http://example.invalid/rpc could not be read: reset',
          retryable,
        });
      },
    );
  });
});
