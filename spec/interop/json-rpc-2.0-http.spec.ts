// Interoperability: rx-jsonrpc's HTTP transport against the JSONRPCServer of the
// json-rpc-2.0 package (a third-party implementation from npm), behind a plain node:http server.
import { JSONRPCServer } from 'json-rpc-2.0';
import { batch, connect, http, JsonRpcError, type Peer } from 'rx-jsonrpc';
import { closeAllHttp, startHttpServer } from '../helpers/http-server';

const peers: Peer[] = [];
// json-rpc-2.0 logs each failing method with console.warn, after it has answered.
let warn: jest.SpyInstance;
beforeAll(() => (warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined)));
afterAll(() => warn.mockRestore());
afterEach(async () => {
  for (const peer of peers.splice(0)) peer.close();
  await closeAllHttp();
});

async function thirdPartyServer() {
  const logged: unknown[] = [];
  const server = new JSONRPCServer();
  server.addMethod('sum', ([a, b]: [number, number]) => a + b);
  server.addMethod('greet', ({ name }: { name: string }) => `hello ${name}`);
  server.addMethod('log', (params: unknown) => void logged.push(params));
  server.addMethod('fail', () => {
    throw new Error('boom');
  });
  const httpServer = await startHttpServer(async ({ body }, response) => {
    const answer = await server.receiveJSON(body);
    if (answer === null || (Array.isArray(answer) && answer.length === 0)) response.writeHead(204).end();
    else response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
  });
  const peer = connect(http(httpServer.url));
  peers.push(peer);
  return { peer, logged };
}

describe('json-rpc-2.0 JSONRPCServer over HTTP', () => {
  it('answers calls with positional and named params', async () => {
    const { peer } = await thirdPartyServer();
    await expect(peer.request('sum', [2, 3])).resolves.toBe(5);
    await expect(peer.request('greet', { name: 'ada' })).resolves.toBe('hello ada');
  });

  it('answers an unknown method with -32601, seen as JsonRpcError', async () => {
    const { peer } = await thirdPartyServer();
    const error = await peer.request('nope').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JsonRpcError);
    expect(error).toMatchObject({ code: -32601 });
  });

  it('passes its error for a throwing method through', async () => {
    const { peer } = await thirdPartyServer();
    await expect(peer.request('fail')).rejects.toMatchObject({
      name: 'JsonRpcError',
      message: expect.stringMatching(/^Request \d+ \(fail\) failed: boom \(-?\d+\)$/) as string,
      remoteMessage: 'boom',
    });
  });

  it('takes notifications, answered by nothing', async () => {
    const { peer, logged } = await thirdPartyServer();
    peer.notify('log', ['one']);
    await expect(peer.request('sum', [1, 1])).resolves.toBe(2);
    expect(logged).toEqual([['one']]);
  });

  it('answers a batch, members matched by id', async () => {
    const { peer, logged } = await thirdPartyServer();
    const results = await batch(peer, (b) => [
      b.request('sum', [1, 2]),
      b.notify('log', ['in batch']),
      b.request('nope'),
    ]);
    expect(results[0]).toEqual({ ok: true, value: 3 });
    expect(results[1]).toEqual({ ok: true, value: undefined });
    expect(results[2]).toMatchObject({ ok: false, error: { code: -32601 } });
    expect(logged).toEqual([['in batch']]);
  });
});
