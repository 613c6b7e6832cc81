// Long-running calls between two peers over a real socket, for each dialect preset:
// progress, timeouts that understand progress, cancellation, late answers, concurrency, sharing.
import { filter, firstValueFrom, lastValueFrom, mergeMap, Observable, timer, toArray } from 'rxjs';
import {
  connect,
  type Dialect,
  generic,
  lsp,
  mcp,
  type Peer,
  type ProgressEvent,
  RequestTimeoutError,
  requestWithProgress$,
  type RpcError,
} from 'rx-jsonrpc';
import { serve, webSocket, type JsonRpcServer, type SetupPeer } from 'rx-jsonrpc/node';

const servers: JsonRpcServer[] = [];
const clients: Peer[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(servers.splice(0).map((server) => server.close({ drain: 0 })));
});

async function pair(dialect: Dialect | undefined, setup: SetupPeer, clientOptions = {}, serverOptions = {}) {
  const server = await serve({ port: 0, peer: { dialect, ...serverOptions } }, setup);
  servers.push(server);
  const client = connect(webSocket(server.url!, { heartbeat: false }), { dialect, ...clientOptions });
  clients.push(client);
  return { server, client };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each([
  ['generic', generic()],
  ['lsp', lsp()],
  ['mcp', mcp()],
])('the %s dialect', (name, dialect) => {
  it('delivers progress in order, before the result', async () => {
    const { client } = await pair(dialect, (peer) =>
      peer.handle('build', async (_params, { progress }) => {
        for (const step of [1, 2, 3]) {
          progress({ step });
          await sleep(2);
        }
        return 'built';
      }),
    );
    const events = await lastValueFrom(requestWithProgress$(client, 'build', { target: 'app' }).pipe(toArray()));
    expect(events).toEqual([
      { kind: 'progress', progress: { step: 1 } },
      { kind: 'progress', progress: { step: 2 } },
      { kind: 'progress', progress: { step: 3 } },
      { kind: 'result', result: 'built' },
    ]);
  });

  it('restarts the timeout with each progress, within the overall maximum', async () => {
    const { client } = await pair(dialect, (peer) =>
      peer.handle('slow', async (_params, { progress }) => {
        for (let i = 0; i < 10; i++) {
          await sleep(50);
          progress({ i });
        }
        return 'finished';
      }),
    );
    // 500 ms of work, never more than 50 ms without progress: a timeout of 400 ms never fires
    // (a loaded CI machine once stalled this process past 200 ms), an overall maximum of 450 ms does.
    await expect(lastValueFrom(requestWithProgress$(client, 'slow', {}, { timeout: 400 }))).resolves.toEqual({
      kind: 'result',
      result: 'finished',
    });
    const error = await lastValueFrom(
      requestWithProgress$(client, 'slow', {}, { timeout: 400, maxTimeout: 450 }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect(error).toMatchObject({ timeout: 450, method: 'slow' });
  });

  it('cancels the handler when the caller unsubscribes, and answers as the dialect says', async () => {
    let aborted!: () => void;
    const handlerAborted = new Promise<void>((resolve) => (aborted = resolve));
    let serverPeer!: Peer;
    const sent: unknown[] = [];
    const { client } = await pair(dialect, (peer) => {
      serverPeer = peer;
      peer.trace$
        .pipe(filter((e) => e.kind === 'out'))
        .subscribe((e) => sent.push(JSON.parse(String((e as { frame: string }).frame))));
      peer.handle('forever', (_params, { signal }) => {
        signal.addEventListener('abort', () => aborted());
        return new Promise(() => undefined);
      });
    });
    const reported: RpcError[] = [];
    client.errors$.subscribe((e) => reported.push(e));
    const call = client.request$('forever', {}).subscribe({ error: () => undefined });
    await firstValueFrom(client.trace$.pipe(filter((e) => e.kind === 'out')));
    await sleep(20);
    expect(serverPeer.answeringCount).toBe(1);
    call.unsubscribe();
    await handlerAborted;
    const answersSent = () => sent.filter((m) => typeof m === 'object' && m !== null && 'id' in m);
    // Give an answer (LSP's) time to go out, however loaded the machine is.
    for (let waited = 0; waited < 1_000 && (name === 'lsp' ? answersSent().length === 0 : waited < 50); waited += 10) {
      await sleep(10);
    }
    expect(serverPeer.answeringCount).toBe(0);
    const answers = answersSent();
    if (name === 'lsp')
      expect(answers).toEqual([{ jsonrpc: '2.0', id: 1, error: { code: -32800, message: 'Request cancelled' } }]);
    else expect(answers).toEqual([]);
    // The late answer (LSP) reaches a caller that forgot the call: it is dropped quietly.
    expect(reported).toEqual([]);
    expect(client.pendingCount).toBe(0);
  });

  it('ignores a cancel for an unknown or finished call', async () => {
    const { client } = await pair(dialect, (peer) => peer.handle('quick', () => 'done'));
    await client.request('quick', {});
    client.notify(dialect.cancel!.method, dialect.cancel!.params(1));
    client.notify(dialect.cancel!.method, dialect.cancel!.params(999));
    await expect(client.request('quick', {})).resolves.toBe('done');
  });
});

describe('concurrency', () => {
  it('runs at most handlerConcurrency handlers at once, the rest in order', async () => {
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const { client } = await pair(
      undefined,
      (peer) =>
        peer.handle('work', async ([n]: [number]) => {
          most = Math.max(most, ++running);
          order.push(n);
          await sleep(5);
          running--;
          return n;
        }),
      {},
      { handlerConcurrency: 2 },
    );
    const results = await Promise.all(Array.from({ length: 10 }, (_, n) => client.request('work', [n])));
    expect(results).toEqual(Array.from({ length: 10 }, (_, n) => n));
    expect(most).toBe(2);
    expect(order).toEqual(Array.from({ length: 10 }, (_, n) => n));
  });

  it('keeps at most requestConcurrency calls in flight, the rest waiting in order', async () => {
    let inFlight = 0;
    let most = 0;
    const arrived: number[] = [];
    const { client } = await pair(
      undefined,
      (peer) =>
        peer.handle('work', async ([n]: [number]) => {
          most = Math.max(most, ++inFlight);
          arrived.push(n);
          await sleep(5);
          inFlight--;
          return n;
        }),
      { requestConcurrency: 3 },
    );
    await Promise.all(Array.from({ length: 9 }, (_, n) => client.request('work', [n])));
    expect(most).toBe(3);
    expect(arrived).toEqual(Array.from({ length: 9 }, (_, n) => n));
  });

  it('lets requests$ be served with mergeMap(..., concurrency)', async () => {
    let running = 0;
    let most = 0;
    const { client } = await pair(undefined, (peer) =>
      peer.requests$
        .pipe(
          mergeMap(
            (request) =>
              new Observable<void>((subscriber) => {
                most = Math.max(most, ++running);
                setTimeout(() => {
                  running--;
                  request.respond(request.method);
                  subscriber.complete();
                }, 5);
              }),
            2,
          ),
        )
        .subscribe(),
    );
    const results = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((m) => client.request(m)));
    expect(results).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(most).toBe(2);
  });
});

describe('sharing', () => {
  it('shares one call in flight among identical subscribers, and calls again after', async () => {
    let calls = 0;
    const { client } = await pair(undefined, (peer) =>
      peer.handle('config', async () => {
        calls++;
        await sleep(10);
        return { theme: 'dark' };
      }),
    );
    const asked = Array.from({ length: 10 }, () => client.request('config', ['app'], { share: true }));
    expect(await Promise.all(asked)).toEqual(Array.from({ length: 10 }, () => ({ theme: 'dark' })));
    expect(calls).toBe(1);
    await client.request('config', ['other'], { share: true });
    await client.request('config', ['app'], { share: true });
    expect(calls).toBe(3);
  });
});

describe('without a dialect', () => {
  it('uses the generic progress, and sends no cancel notification', async () => {
    const heard: string[] = [];
    const { client } = await pair(undefined, (peer) => {
      peer.notifications$().subscribe((n) => heard.push(n.method));
      peer.handle('step', async (_p, { progress }) => {
        progress(1);
        await sleep(2);
        return 'ok';
      });
      peer.handle('hang', () => new Promise(() => undefined));
    });
    const events = await lastValueFrom(requestWithProgress$<string, number>(client, 'step', {}).pipe(toArray()));
    expect(events).toEqual([
      { kind: 'progress', progress: 1 },
      { kind: 'result', result: 'ok' },
    ] satisfies ProgressEvent<string, number>[]);
    const call = client.request$('hang').subscribe({ error: () => undefined });
    await sleep(10);
    call.unsubscribe();
    await firstValueFrom(timer(20));
    expect(heard).toEqual([]);
  });

  it('refuses progress for positional params, which cannot carry a token', async () => {
    const { client } = await pair(undefined, () => undefined);
    await expect(lastValueFrom(requestWithProgress$(client, 'x', [1, 2]))).rejects.toMatchObject({
      name: 'ProtocolError',
      message: 'Request (x) not sent: generic progress needs named (object) params to carry its token',
    });
  });
});
