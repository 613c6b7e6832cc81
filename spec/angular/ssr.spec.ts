// Server-side rendering, zoneless, in the spec's process: what provideJsonRpc() does while
// @angular/platform-server renders the app (see ssr-zone.spec.ts for zone.js, in a process of its own).
import { inject, provideZonelessChangeDetection } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import { ConnectionClosedError, reconnecting, TransportError, http, type Peer, type PeerState } from 'rx-jsonrpc';
import {
  JsonRpcTestingController,
  provideJsonRpc,
  provideJsonRpcTesting,
  type JsonRpcConfig,
} from 'rx-jsonrpc/angular';
import { webSocket } from 'rx-jsonrpc/node';
import { backend, emptied, render, ResourceView, SumView, type Backend, type View } from './ssr-app';

describe('provideJsonRpc during server-side rendering, zoneless', () => {
  let server: Backend;
  const app = (config: Partial<JsonRpcConfig>, component: View = SumView) =>
    render(component, [
      provideZonelessChangeDetection(),
      provideJsonRpc({ transport: webSocket(server.wsUrl), ...config }),
    ]);

  it('runs without zone.js', () => {
    expect((globalThis as { Zone?: unknown }).Zone).toBeUndefined();
  });

  // Every render of a development build says so on the console: not news here.
  let log: jest.SpyInstance;
  beforeAll(() => {
    const print = console.log.bind(console);
    log = jest.spyOn(console, 'log').mockImplementation((...values: unknown[]) => {
      if (values[0] !== 'Angular is running in development mode.') print(...values);
    });
  });

  afterAll(() => log.mockRestore());

  beforeEach(async () => {
    server = await backend();
  });

  afterEach(() => server.close());

  describe("by default ('offline')", () => {
    it('opens no connection: the render completes at once, each call failing with an error that names SSR', async () => {
      const { text, ms } = await app({});

      expect(text).toBe(
        'state: closed sum: ConnectionClosedError: Request (math.sum) not sent: the peer is closed: no link during ' +
          "server-side rendering: connection 'default' connects in the browser only (provideJsonRpc's ssr option, " +
          "'offline' by default, can make it call during the render)",
      );
      expect(ms).toBeLessThan(5000); // far from the 30 s a call waiting for a link would take
      expect(server.reached).toEqual({ sockets: 0, requests: [] });
    });

    it('gives the app a peer closed from the start: state$ and each call say why, and nothing is retryable', async () => {
      let peer: Peer | undefined;
      let state: PeerState | undefined;
      let failure: unknown;
      await app({
        options: { reconnect: reconnecting() },
        setup: (made) => {
          peer = made;
          made.state$.subscribe((value) => (state ??= value));
          made.request$('math.sum', [1, 2]).subscribe({ error: (error: unknown) => (failure = error) });
        },
      });

      const why =
        "no link during server-side rendering: connection 'default' connects in the browser only " +
        "(provideJsonRpc's ssr option, 'offline' by default, can make it call during the render)";
      expect(state?.status).toBe('closed');
      expect(state?.status === 'closed' && state.error).toEqual(new TransportError(why));
      expect(state?.status === 'closed' && state.error?.retryable).toBe(false);
      expect(failure).toBeInstanceOf(ConnectionClosedError);
      expect(failure).toMatchObject({
        message: `Request (math.sum) not sent: the peer is closed: ${why}`,
        retryable: false,
        cause: expect.any(TransportError),
      });
      expect(peer?.pendingCount).toBe(0);
      expect(server.reached).toEqual({ sockets: 0, requests: [] });
    });

    it('ends a resource in its error state instead of holding the render', async () => {
      const { text } = await app({ options: { reconnect: reconnecting() } }, ResourceView);

      expect(text).toBe('failed: ConnectionClosedError');
      expect(server.reached).toEqual({ sockets: 0, requests: [] });
    });

    it("never calls the connection's transport factory", async () => {
      let made = 0;
      const { text } = await app({
        transport: () => {
          made++;
          return webSocket(server.wsUrl);
        },
      });

      expect(text).toContain('state: closed');
      expect(made).toBe(0);
      expect(server.reached.sockets).toBe(0);
    });
  });

  describe('under provideJsonRpcTesting()', () => {
    it('links to the testing controller, as in the browser', async () => {
      let controller: JsonRpcTestingController | undefined;
      const { text } = await render(SumView, [
        provideZonelessChangeDetection(),
        provideJsonRpc({
          transport: webSocket(server.wsUrl),
          setup: () => (controller = inject(JsonRpcTestingController)),
        }),
        provideJsonRpcTesting(),
      ]);

      // The call went to the controller, which nobody answered: no error, and nothing reached the server.
      expect(text).toBe('state: open sum: …');
      expect(controller?.match('math.sum')).toHaveLength(1);
      expect(server.reached).toEqual({ sockets: 0, requests: [] });
    });
  });

  describe("with ssr: 'connect'", () => {
    it("makes the call during the render over the connection's own transport, and closes the link with the render", async () => {
      let peer: Peer | undefined;
      const { text } = await app({ ssr: 'connect', setup: (made) => (peer = made) });

      expect(text).toBe('state: open sum: 42');
      expect(server.reached.requests).toEqual(['GET /rpc']);
      // Closed with the render's injector: on both sides, nothing left.
      expect(await firstValueFrom(peer!.state$)).toMatchObject({ status: 'closed' });
      expect(peer?.pendingCount).toBe(0);
      expect(await emptied(server.rpc)).toBe(0);
    });

    it('waits for a resource', async () => {
      const { text } = await app({ ssr: 'connect' }, ResourceView);

      expect(text).toBe('sum: 42');
      expect(await emptied(server.rpc)).toBe(0);
    });
  });

  describe('with ssr: { transport }', () => {
    it('calls over that transport instead (an http() link here, where the browser has its socket)', async () => {
      const { text } = await app({ ssr: { transport: () => http(server.httpUrl), options: { timeout: 5000 } } });

      expect(text).toBe('state: open sum: 42');
      expect(server.reached.requests).toEqual(['POST /rpc']);
    });
  });
});
