// serve({ log, logCalls }): a line per call every peer answers and makes, only when asked.
import { once } from 'node:events';
import { createServer } from 'node:http';
import { filter, firstValueFrom, NEVER, timer } from 'rxjs';
import { connect, http, JsonRpcError, logPeer, reconnecting, type CallLogFields, type Peer } from 'rx-jsonrpc';
import { restartableServer } from '../helpers/restartable-server';
import { serve, serveHttp, webSocket, type JsonRpcServer, type Logger, type SetupPeer } from 'rx-jsonrpc/node';
import { keptLog, type Line } from '../helpers/kept-log';

const servers: JsonRpcServer[] = [];
const clients: Peer[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(servers.splice(0).map((server) => server.close({ drain: 0 })));
});

const setup: SetupPeer = (peer) => {
  peer.handle('ping', () => 'pong');
  peer.handle('refuse', () => {
    throw new JsonRpcError(4003, 'Log in first');
  });
  peer.handle('hang', () => NEVER);
  // The server calls its client back: a call the server makes.
  peer.handle('callMeBack', async (_params, { peer: caller }) => caller.request('whoami'));
};

async function start(log: Logger | false, logCalls?: boolean): Promise<JsonRpcServer> {
  const server = await serve({ port: 0, log, ...(logCalls === undefined ? {} : { logCalls }) }, setup);
  servers.push(server);
  return server;
}

function client(url: string, overHttp = false): Peer {
  const peer = connect(overHttp ? http(url.replace(/^ws/, 'http')) : webSocket(url), { timeout: 3_000 });
  clients.push(peer);
  return peer;
}

const fieldsOf = (line: Line) => line.values[0] as CallLogFields;
const callLines = (log: { lines: Line[] }) =>
  log.lines.filter((line) => typeof line.values[0] === 'object' && line.values[0] !== null && 'rpc' in line.values[0]);

describe('serve({ logCalls: true })', () => {
  it.each([
    ['a WebSocket', false],
    ['an HTTP POST', true],
  ])('writes each call answered over %s: a result at debug, an error answer at warn', async (_, overHttp) => {
    const log = keptLog();
    const server = await start(log, true);
    const rpc = client(server.url!, overHttp);
    await expect(rpc.request('ping')).resolves.toBe('pong');
    await expect(rpc.request('refuse')).rejects.toMatchObject({ code: 4003 });
    expect(callLines(log).map((line) => [line.level, fieldsOf(line), line.values[1]])).toEqual([
      [
        'debug',
        { rpc: 'answer', method: 'ping', id: 1, ms: expect.any(Number), outcome: 'result' },
        expect.stringMatching(/^rx-jsonrpc: answer ping \(1\): result in \d+ ms$/),
      ],
      [
        'warn',
        {
          rpc: 'answer',
          method: 'refuse',
          id: 2,
          ms: expect.any(Number),
          outcome: 'error',
          code: 4003,
          error: 'Log in first',
        },
        'rx-jsonrpc: answer refuse (2): error 4003 (Log in first) in ' +
          String(fieldsOf(callLines(log)[1]!).ms) +
          ' ms',
      ],
    ]);
  });

  it('writes each call a serveHttp() listener answers, mounted in a server of your own', async () => {
    const log = keptLog();
    const rpc = serveHttp({ log, logCalls: true }, setup);
    const own = createServer(rpc.listener);
    own.listen(0, '127.0.0.1');
    await once(own, 'listening');
    try {
      const { port } = own.address() as { port: number };
      await expect(client(`http://127.0.0.1:${port}`, true).request('ping')).resolves.toBe('pong');
      expect(callLines(log).map((line) => [line.level, fieldsOf(line)])).toEqual([
        ['debug', { rpc: 'answer', method: 'ping', id: 1, ms: expect.any(Number), outcome: 'result' }],
      ]);
    } finally {
      await rpc.close();
      await new Promise((resolve) => own.close(resolve));
    }
  });

  it('writes the calls the server makes to its clients', async () => {
    const log = keptLog();
    const server = await start(log, true);
    const rpc = client(server.url!);
    rpc.handle('whoami', () => 'a client');
    await expect(rpc.request('callMeBack')).resolves.toBe('a client');
    expect(callLines(log).map((line) => [fieldsOf(line).rpc, fieldsOf(line).method, fieldsOf(line).outcome])).toEqual([
      ['call', 'whoami', 'result'],
      ['answer', 'callMeBack', 'result'],
    ]);
  });

  it('writes a call left unanswered when its client goes, as abandoned', async () => {
    const log = keptLog();
    const server = await start(log, true);
    const rpc = client(server.url!);
    void rpc.request('hang').catch(() => undefined);
    await firstValueFrom(timer(50));
    await rpc.close();
    await firstValueFrom(timer(50));
    expect(callLines(log).map((line) => [line.level, fieldsOf(line).method, fieldsOf(line).outcome])).toEqual([
      ['debug', 'hang', 'abandoned'],
    ]);
  });

  it('keeps answering when the logger throws', async () => {
    const broken: Logger = {
      debug: () => {
        throw new Error('log down');
      },
      info: () => {
        throw new Error('log down');
      },
      warn: () => {
        throw new Error('log down');
      },
      error: () => {
        throw new Error('log down');
      },
    };
    const server = await start(broken, true);
    const rpc = client(server.url!);
    await expect(rpc.request('ping')).resolves.toBe('pong');
    await expect(rpc.request('refuse')).rejects.toMatchObject({ code: 4003 });
    await expect(client(server.url!, true).request('ping')).resolves.toBe('pong');
  });
});

describe('serve({ log }) without logCalls', () => {
  it('writes no line for the calls', async () => {
    const log = keptLog();
    const server = await start(log);
    const rpc = client(server.url!);
    await rpc.request('ping');
    await expect(rpc.request('refuse')).rejects.toMatchObject({ code: 4003 });
    expect(log.lines).toEqual([]);
  });

  it('writes nothing with log: false, even with logCalls', async () => {
    const debug = jest.spyOn(console, 'debug').mockImplementation(() => undefined);
    try {
      const server = await start(false, true);
      const rpc = client(server.url!);
      await expect(rpc.request('ping')).resolves.toBe('pong');
      expect(debug).not.toHaveBeenCalled();
    } finally {
      debug.mockRestore();
    }
  });
});

describe('logPeer() of a client that reconnects', () => {
  it("writes the drop at warn, and the server's call it was answering as abandoned", async () => {
    const server = await restartableServer((peer) => {
      peer.handle('askMe', () => {
        void peer.request('slow').catch(() => undefined);
        return 'asked';
      });
    });
    const log = keptLog();
    const rpc = connect(webSocket(server.url), { reconnect: reconnecting({ delay: () => timer(50) }), timeout: 3_000 });
    clients.push(rpc);
    rpc.handle('slow', () => NEVER);
    logPeer(rpc, log, { answers: true });
    await rpc.request('askMe');
    await firstValueFrom(timer(50));
    await server.kill();
    await firstValueFrom(rpc.state$.pipe(filter(({ status }) => status === 'reconnecting')));
    expect(log.lines.map((line) => [line.level, String(line.values[1])])).toEqual([
      ['info', expect.stringMatching(/^rx-jsonrpc: link open \(websocket ws:\/\/127\.0\.0\.1:\d+\)$/)],
      ['warn', expect.stringMatching(/^rx-jsonrpc: link lost, reconnecting \(attempt 1\): /)],
      ['debug', expect.stringMatching(/^rx-jsonrpc: answer slow \(1\): abandoned after \d+ ms$/)],
    ]);
    await server.stop();
  });
});
