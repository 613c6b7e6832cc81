import { filter, firstValueFrom } from 'rxjs';
import { connect, type Peer } from 'rx-jsonrpc';
import { webSocket } from 'rx-jsonrpc/node';
import { expectHealthy, startTarget, stopTargets, type Target } from './harness/target';

// Attacks on serve() once a connection exists: a failing setup, a broadcast while a client
// leaves, state one client could leak to another. Each target runs in a child process.
afterAll(stopTargets);

type Info = { url: string };
type Reported = { name: string; message: string };

const clients: Peer[] = [];
afterEach(() => Promise.all(clients.splice(0).map((client) => client.close())));

function client(url: string): Peer {
  const peer = connect(webSocket(url), { timeout: 3_000 });
  clients.push(peer);
  return peer;
}

const ping = (url: string) => async () => expect(await client(url).request('ping')).toBe('pong');
const isOpen = (peer: Peer) => firstValueFrom(peer.state$.pipe(filter((state) => state.status === 'open')));

describe('serve() attacked through its connections', () => {
  const scenario = { announceLeave: true, options: { peer: { session: { prefs: {} } } } };
  let onPort: Target<Info>;
  let onWss: Target<Info>;
  beforeAll(async () => {
    [onPort, onWss] = await Promise.all([
      startTarget<Info>('serve-attacks', [JSON.stringify(scenario)]),
      startTarget<Info>('serve-attacks', [JSON.stringify({ ...scenario, wss: true })]),
    ]);
  }, 30_000);

  describe.each([
    ['on a port of its own', () => onPort],
    ['on a ws server of the user', () => onWss],
  ])('%s', (_where, target) => {
    it.each(['throw-setup', 'reject-setup'])(
      'closes a connection whose setup fails (%s) with 1011 and reports it',
      async (kind) => {
        const { url } = target().info;
        const error = await client(`${url}/${kind}`)
          .request('ping')
          .catch((e: unknown) => e);
        expect(error).toMatchObject({ name: 'ConnectionClosedError', code: 1011 });
        await expectHealthy(target(), ping(url));
        const [reported] = await target().ask<Reported[]>('errors');
        expect(reported?.name).toBe('HandlerError');
        expect(reported?.message).toMatch(
          new RegExp(`^setup\\(\\) failed for the connection from 127\\.0\\.0\\.1 to /${kind}: setup .* on purpose$`),
        );
      },
    );

    it('reaches the clients that stay when a leaving one makes setup call notifyAll', async () => {
      const { url } = target().info;
      const [leaving, staying] = [client(`${url}/leaving`), client(`${url}/staying`)];
      await Promise.all([isOpen(leaving), isOpen(staying)]);
      // Clients of earlier tests may still be leaving: wait for this one's departure.
      const left = firstValueFrom(
        staying.notifications$('left').pipe(filter((params) => (params as string[])[0] === '/leaving')),
      );
      await leaving.close();
      expect(await left).toEqual(['/leaving']);
      await expectHealthy(target(), ping(url));
    });

    it('gives each connection its own copy of the session template', async () => {
      const { url } = target().info;
      const [ada, bob] = [client(url), client(url)];
      await expect(ada.request('prefs.set', { theme: 'dark' })).resolves.toBe(true);
      await expect(bob.request('prefs.get')).resolves.toBeNull();
      await expect(ada.request('prefs.get')).resolves.toBe('dark');
    });
  });

  describe('notifyAll', () => {
    it('throws for a bad method before sending anything, as notify() does', async () => {
      expect(await onPort.ask('notifyAll', { method: '' })).toEqual({
        name: 'ProtocolError',
        message: 'Notification () not sent: the method must be a non-empty string, got ',
      });
      await expectHealthy(onPort, ping(onPort.info.url));
    });
  });
});
