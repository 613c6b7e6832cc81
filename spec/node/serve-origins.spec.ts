import { once } from 'node:events';
import { upgradeStatus } from '../helpers/upgrade-status';
import { firstValueFrom } from 'rxjs';
import { WebSocketServer } from 'ws';
import { connect, type Peer } from 'rx-jsonrpc';
import { serve, webSocket, type JsonRpcServer, type ServeOptions } from 'rx-jsonrpc/node';

const servers: JsonRpcServer[] = [];
const clients: Peer[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(servers.splice(0).map((server) => server.close({ drain: 0 })));
});

async function start(options: ServeOptions = {}): Promise<JsonRpcServer> {
  const server = await serve({ port: 0, ...options }, (peer) => peer.handle('ping', () => 'pong'));
  servers.push(server);
  return server;
}

describe('serve origins', () => {
  describe('by default (same-origin)', () => {
    it('accepts clients without an Origin header and pages of its own origin', async () => {
      const server = await start();
      const port = new URL(server.url!).port;
      expect(await upgradeStatus(server.url!)).toBe(101);
      expect(await upgradeStatus(server.url!, { headers: { origin: `http://127.0.0.1:${port}` } })).toBe(101);
      expect(await upgradeStatus(server.url!, { headers: { origin: `https://127.0.0.1:${port}` } })).toBe(101);
    });

    it('refuses a page reached by a host name, even with a matching Host: DNS rebinding sends both', async () => {
      const server = await start();
      for (const name of ['evil.example', 'app.example.org']) {
        expect(await upgradeStatus(server.url!, { headers: { origin: `http://${name}`, host: name } })).toBe(403);
      }
      expect(
        await upgradeStatus(server.url!, { headers: { origin: 'http://app.localhost', host: 'app.localhost' } }),
      ).toBe(101);
      expect(await upgradeStatus(server.url!, { headers: { origin: 'http://localhost.', host: 'localhost.' } })).toBe(
        101,
      );
    });

    it('refuses a page of another origin with 403 Forbidden, before the upgrade', async () => {
      const server = await start();
      const port = Number(new URL(server.url!).port);
      for (const origin of [`http://127.0.0.1:${port + 1}`, 'http://evil.example', 'null', 'not a url']) {
        expect(await upgradeStatus(server.url!, { headers: { origin } })).toBe(403);
      }
      const client = connect(webSocket(server.url!, { headers: { origin: 'http://evil.example' } }));
      clients.push(client);
      await expect(client.request('ping')).rejects.toThrow(/Unexpected server response: 403$/);
    });

    it('compares default ports, and refuses a Host it cannot read or that is missing', async () => {
      const server = await start();
      expect(await upgradeStatus(server.url!, { headers: { origin: 'http://localhost', host: 'localhost:80' } })).toBe(
        101,
      );
      expect(await upgradeStatus(server.url!, { headers: { origin: 'https://[::1]', host: '[::1]' } })).toBe(101);
      expect(await upgradeStatus(server.url!, { headers: { origin: 'https://localhost', host: 'localhost:80' } })).toBe(
        403,
      );
      expect(
        await upgradeStatus(server.url!, { headers: { origin: 'http://example.org', host: 'a@example.org' } }),
      ).toBe(403);
      expect(await upgradeStatus(server.url!, { headers: { origin: 'http://example.org', host: '[' } })).toBe(403);
      expect(await upgradeStatus(server.url!, { headers: { origin: 'http://example.org' }, setHost: false })).toBe(403);
    });
  });

  describe('with a list of origins', () => {
    it('accepts those origins, as browsers write them, besides its own', async () => {
      const server = await start({ origins: ['HTTP://App.Example.org:80/', 'null'] });
      const port = new URL(server.url!).port;
      expect(await upgradeStatus(server.url!, { headers: { origin: 'http://app.example.org' } })).toBe(101);
      expect(await upgradeStatus(server.url!, { headers: { origin: 'null' } })).toBe(101);
      expect(await upgradeStatus(server.url!, { headers: { origin: `http://127.0.0.1:${port}` } })).toBe(101);
      expect(await upgradeStatus(server.url!, { headers: { origin: 'https://app.example.org' } })).toBe(403);
    });

    it.each(['app.example.org', 'file:///tmp/page.html'])(
      'rejects serve() for %s, which is no origin',
      async (entry) => {
        await expect(start({ origins: [entry] })).rejects.toThrow(
          new TypeError(`serve(): origins holds "${entry}", which is not an origin such as 'https://example.org'`),
        );
      },
    );
  });

  describe('with a predicate', () => {
    it('asks it about each Origin, with the request', async () => {
      const asked: string[] = [];
      const server = await start({
        origins: (origin, request) => {
          asked.push(`${origin} ${request.url}`);
          return origin.endsWith('.example.org');
        },
      });
      expect(await upgradeStatus(`${server.url}/`, { headers: { origin: 'https://a.example.org' } })).toBe(101);
      expect(await upgradeStatus(server.url!, { headers: { origin: 'https://example.com' } })).toBe(403);
      expect(await upgradeStatus(server.url!)).toBe(101);
      expect(asked).toEqual(['https://a.example.org /', 'https://example.com /']);
    });

    it('refuses with 500 and reports a HandlerError when it throws', async () => {
      const server = await start({
        origins: () => {
          throw new Error('policy store down');
        },
      });
      const reported = firstValueFrom(server.errors$);
      expect(await upgradeStatus(server.url!, { headers: { origin: 'https://a.example.org' } })).toBe(500);
      expect(await reported).toMatchObject({
        name: 'HandlerError',
        message: 'origins() failed for /: policy store down',
      });
    });
  });

  describe("with '*'", () => {
    it('accepts every origin', async () => {
      const server = await start({ origins: '*' });
      expect(await upgradeStatus(server.url!, { headers: { origin: 'http://evil.example' } })).toBe(101);
    });
  });

  describe('on a ws server of the user', () => {
    it('closes a page of another origin with 1008 after the upgrade', async () => {
      const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
      await once(wss, 'listening');
      const url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}`;
      servers.push(await serve({ wss }, (peer) => peer.handle('ping', () => 'pong')));
      const client = connect(webSocket(url, { headers: { origin: 'http://evil.example' } }));
      clients.push(client);
      await expect(client.request('ping')).rejects.toMatchObject({
        name: 'ConnectionClosedError',
        code: 1008,
        reason: 'Origin not allowed',
      });
      await servers.pop()!.close({ drain: 0 });
      await new Promise((resolve) => wss.close(resolve));
    });
  });
});
