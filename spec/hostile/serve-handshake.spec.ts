import { connect as tcpConnect } from 'node:net';
import { connect } from 'rx-jsonrpc';
import { webSocket } from 'rx-jsonrpc/node';
import { expectHealthy, startTarget, stopTargets, type Target } from './harness/target';

// Attacks on serve()'s handshake, before any peer exists: each target runs in a child
// process, which must stay alive, bounded and answering after every attack.
afterAll(stopTargets);

type Info = { url: string };
type Reported = { name: string; message: string };

/** What a raw client sees: the response's status line, or how the socket ended without one. */
interface RawUpgrade {
  /** A path and query, sent as is (`//[` is no URL). @default the path and query of the URL */
  readonly target?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Bytes sent right after the request, before any answer. */
  readonly after?: Buffer;
  /** Resets the socket (TCP RST) this many ms after sending, instead of waiting for an answer. */
  readonly resetAfterMs?: number;
}

/** Sends a WebSocket upgrade by hand on a TCP socket to `url`; resolves with the status line, or 'closed'. */
function rawUpgrade(url: string, { target, headers = {}, after, resetAfterMs }: RawUpgrade = {}): Promise<string> {
  const { hostname, port, pathname, search } = new URL(url);
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: hostname, port: Number(port) });
    let received = '';
    const lines = [
      `GET ${target ?? pathname + search} HTTP/1.1`,
      `Host: ${hostname}:${port}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      'Sec-WebSocket-Version: 13',
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    ];
    socket.on('error', () => undefined);
    socket.on('connect', () => {
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (after !== undefined) socket.write(after);
      if (resetAfterMs !== undefined) setTimeout(() => resolve(socket.resetAndDestroy() && 'reset'), resetAfterMs);
    });
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (received.includes('\r\n')) resolve(received.slice(0, received.indexOf('\r\n')));
    });
    socket.on('close', () => resolve(received === '' ? 'closed' : received.split('\r\n')[0]!));
    setTimeout(() => socket.destroy(), 3_000);
  });
}

/** A fresh client's call: ping answers pong. */
const pingFrom = (url: string, headers?: Record<string, string>) => async () => {
  const rpc = connect(webSocket(url, { headers }), { timeout: 3_000 });
  try {
    expect(await rpc.request('ping')).toBe('pong');
  } finally {
    await rpc.close();
  }
};

/** Resolves once the target has no peer left, or with the count it still has after 2 s. */
async function peersLeft(target: Target): Promise<number> {
  const deadline = Date.now() + 2_000;
  let peers = await target.ask<number>('peers');
  while (peers > 0 && Date.now() < deadline) {
    await pause(20);
    peers = await target.ask<number>('peers');
  }
  return peers;
}

/** Waits for `ms`. */
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('serve() attacked during the handshake', () => {
  let onPath: Target<Info>;
  let onWss: Target<Info>;
  beforeAll(async () => {
    [onPath, onWss] = await Promise.all([
      startTarget<Info>('serve-attacks', [JSON.stringify({ options: { path: '/rpc' }, authDelayMs: 150 })]),
      startTarget<Info>('serve-attacks', [JSON.stringify({ wss: true, authDelayMs: 50 })]),
    ]);
  }, 30_000);

  describe('with an upgrade whose target is no URL', () => {
    it('answers 400, reports a ProtocolError and stays healthy', async () => {
      expect(await rawUpgrade(onPath.info.url, { target: '//[' })).toBe('HTTP/1.1 400 Bad Request');
      await expectHealthy(onPath, pingFrom(`${onPath.info.url}/rpc`));
      const errors = await onPath.ask<Reported[]>('errors');
      expect(errors).toEqual([
        { name: 'ProtocolError', message: 'Upgrade refused: //[ is not a valid request target' },
      ]);
    });
  });

  describe('when clients of another path reset their socket as they are refused', () => {
    it('answers 404 and stays healthy', async () => {
      const refused = await Promise.all(
        Array.from({ length: 40 }, (_, i) => rawUpgrade(`${onPath.info.url}/other`, { resetAfterMs: i % 4 })),
      );
      expect(refused.every((outcome) => outcome === 'reset' || outcome === 'HTTP/1.1 404 Not Found')).toBe(true);
      await pause(200);
      await expectHealthy(onPath, pingFrom(`${onPath.info.url}/rpc`));
    });
  });

  describe('when clients reset their socket while authenticate runs', () => {
    it('forgets them and stays healthy', async () => {
      const resets = await Promise.all(
        Array.from({ length: 20 }, () => rawUpgrade(`${onPath.info.url}/rpc`, { resetAfterMs: 20 })),
      );
      expect(resets.every((outcome) => outcome === 'reset')).toBe(true);
      await pause(300);
      await expectHealthy(onPath, pingFrom(`${onPath.info.url}/rpc`));
      expect(await peersLeft(onPath)).toBe(0);
    });
  });

  describe('when authenticate rejects with a null-prototype object', () => {
    it('answers 500, reports a HandlerError and stays healthy', async () => {
      expect(await rawUpgrade(`${onPath.info.url}/rpc?auth-odd`)).toBe('HTTP/1.1 500 Internal Server Error');
      await expectHealthy(onPath, pingFrom(`${onPath.info.url}/rpc`));
      expect(await onPath.ask<Reported[]>('errors')).toEqual([
        {
          name: 'HandlerError',
          message: 'authenticate() failed for /rpc?auth-odd: a thrown object that cannot be printed',
        },
      ]);
    });
  });

  describe('with a page of another origin (cross-site WebSocket hijacking)', () => {
    it('refuses it with 403 before the upgrade, and accepts same-origin pages and non-browser clients', async () => {
      const url = `${onPath.info.url}/rpc`;
      expect(await rawUpgrade(url, { headers: { Origin: 'http://evil.example' } })).toBe('HTTP/1.1 403 Forbidden');
      expect(await rawUpgrade(url, { headers: { Origin: 'null' } })).toBe('HTTP/1.1 403 Forbidden');
      await expectHealthy(onPath, pingFrom(url, { origin: onPath.info.url.replace('ws:', 'http:') }));
      await expectHealthy(onPath, pingFrom(url));
    });
  });

  describe('on a ws server of the user (wss)', () => {
    // A masked frame with the reserved opcode 3: ws's receiver fails on it and emits 'error'.
    const badFrame = Buffer.from([0x83, 0x80, 1, 2, 3, 4]);

    it('survives a bad frame from a client refused by authenticate', async () => {
      const status = await rawUpgrade(`${onWss.info.url}/auth-refuse`, { after: badFrame });
      expect(status).toBe('HTTP/1.1 101 Switching Protocols');
      await pause(150);
      await expectHealthy(onWss, pingFrom(onWss.info.url));
    });

    it('survives clients that reset their socket while authenticate runs, and never sets them up', async () => {
      const setupsBefore = await onWss.ask<number>('setups');
      await Promise.all(Array.from({ length: 20 }, () => rawUpgrade(onWss.info.url, { resetAfterMs: 20 })));
      await pause(150);
      await expectHealthy(onWss, pingFrom(onWss.info.url));
      expect(await peersLeft(onWss)).toBe(0);
      // Only the fresh call's client was set up.
      expect((await onWss.ask<number>('setups')) - setupsBefore).toBe(1);
    });

    it('closes a cross-origin page with 1008 after the upgrade', async () => {
      const rpc = connect(webSocket(onWss.info.url, { headers: { origin: 'http://evil.example' } }), {
        timeout: 2_000,
      });
      const error = await rpc.request('ping').catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'ConnectionClosedError', code: 1008, reason: 'Origin not allowed' });
      await expectHealthy(onWss, pingFrom(onWss.info.url));
    });
  });
});
