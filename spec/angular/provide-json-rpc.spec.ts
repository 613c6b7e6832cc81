/** @jest-environment jsdom */
import './test-bed';
import {
  createEnvironmentInjector,
  EnvironmentInjector,
  inject,
  InjectionToken,
  Injector,
  provideZonelessChangeDetection,
} from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { filter, firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { ConnectionClosedError, type Peer, type PeerState } from 'rx-jsonrpc';
import { injectJsonRpc, JSON_RPC, jsonRpcToken, provideJsonRpc } from 'rx-jsonrpc/angular';
import { closeServers, memoryServer } from './memory-server';

afterEach(closeServers);

const configure = (...providers: Parameters<typeof TestBed.configureTestingModule>[0]['providers'] & unknown[]) =>
  TestBed.configureTestingModule({ providers: [provideZonelessChangeDetection(), ...providers] });

/** Resolves when `peer` reaches `status`. */
const reaches = (peer: Peer, status: PeerState['status']) =>
  firstValueFrom(peer.state$.pipe(filter((state) => state.status === status)));

describe('provideJsonRpc', () => {
  it('makes the peer on the first inject, and the same peer after', async () => {
    const server = memoryServer();
    configure(provideJsonRpc({ transport: server.transport }));
    expect(server.connects).toBe(0);

    const peer = TestBed.inject(JSON_RPC);
    expect(server.connects).toBe(1);
    expect(TestBed.inject(JSON_RPC)).toBe(peer);
    expect(TestBed.runInInjectionContext(() => injectJsonRpc())).toBe(peer);
    expect(await peer.request('math.sum', [19, 23])).toBe(42);
    expect(server.connects).toBe(1);
  });

  it('provides named connections side by side, each with its own link', async () => {
    const main = memoryServer('main');
    const prices = memoryServer('prices');
    const chat = memoryServer('chat');
    configure(
      provideJsonRpc({ transport: main.transport }),
      provideJsonRpc({ name: 'prices', transport: prices.transport }),
      provideJsonRpc({ name: 'chat', transport: chat.transport }),
    );

    const answers = await Promise.all([
      TestBed.inject(JSON_RPC).request('whoami'),
      TestBed.inject(jsonRpcToken('prices')).request('whoami'),
      TestBed.runInInjectionContext(() => injectJsonRpc('chat')).request('whoami'),
    ]);
    expect(answers).toEqual(['main', 'prices', 'chat']);
    expect([main.connects, prices.connects, chat.connects]).toEqual([1, 1, 1]);
  });

  it('needs no NgZone: in an injector without one (no platform), the peer is made outside any zone', async () => {
    const server = memoryServer('plain');
    const injector = createEnvironmentInjector(
      [provideJsonRpc({ transport: server.transport })],
      // The injector a platform's would sit on: it provides nothing, NgZone included.
      Injector.NULL as EnvironmentInjector,
    );
    await expect(injector.get(JSON_RPC).request('whoami')).resolves.toBe('plain');
    injector.destroy();
  });

  it('makes only the connections that are injected', () => {
    const main = memoryServer('main');
    const prices = memoryServer('prices');
    configure(
      provideJsonRpc({ transport: main.transport }),
      provideJsonRpc({ name: 'prices', transport: prices.transport }),
    );
    TestBed.inject(jsonRpcToken('prices'));
    expect([main.connects, prices.connects]).toEqual([0, 1]);
  });

  it('runs the transport factory and setup in an injection context', async () => {
    const server = memoryServer();
    const URL = new InjectionToken<string>('URL');
    const CONFIRM = new InjectionToken<(text: string) => boolean>('CONFIRM');
    const seen: string[] = [];
    configure(
      { provide: URL, useValue: 'memory://test' },
      { provide: CONFIRM, useValue: (text: string) => text.endsWith('?') },
      provideJsonRpc({
        transport: () => {
          seen.push(inject(URL));
          return server.transport;
        },
        setup: (peer) => {
          const confirm = inject(CONFIRM);
          peer.handle('ui.confirm', ([text]: [string]) => confirm(text));
        },
      }),
    );

    TestBed.inject(JSON_RPC);
    expect(seen).toEqual(['memory://test']);
    expect(await server.peer.request('ui.confirm', ['Buy tea?'])).toBe(true);
    expect(await server.peer.request('ui.confirm', ['Buy tea.'])).toBe(false);
  });

  it('passes the options to connect()', async () => {
    const server = memoryServer();
    configure(provideJsonRpc({ transport: server.transport, options: { timeout: 20 } }));
    const peer = TestBed.inject(JSON_RPC);
    await expect(peer.request('wait')).rejects.toThrow('Request 1 (wait) timed out after 20 ms');
  });

  describe('when its injector is destroyed', () => {
    it('closes the peer: pending calls fail and every stream completes', async () => {
      const server = memoryServer();
      configure(provideJsonRpc({ transport: server.transport }));
      const peer = TestBed.inject(JSON_RPC);
      const states = lastValueFrom(peer.state$.pipe(toArray()));
      const notifications = lastValueFrom(peer.notifications$('news').pipe(toArray()));
      await reaches(peer, 'open');
      const call = peer.request('wait');
      expect(peer.pendingCount).toBe(1);

      TestBed.resetTestingModule();

      const error = await call.then(
        () => undefined,
        (failure: unknown) => failure,
      );
      expect(error).toBeInstanceOf(ConnectionClosedError);
      expect((error as ConnectionClosedError).retryable).toBe(false);
      expect((await states).map((state) => state.status)).toEqual(['open', 'closed']);
      expect(await notifications).toEqual([]);
      expect(peer.pendingCount).toBe(0);
    });

    it("closes a child injector's peer with it and leaves the parent's open", async () => {
      const parent = memoryServer('parent');
      const child = memoryServer('child');
      configure(provideJsonRpc({ transport: parent.transport }));
      const injector = createEnvironmentInjector(
        [provideJsonRpc({ name: 'feature', transport: child.transport })],
        TestBed.inject(EnvironmentInjector),
      );
      const featurePeer = injector.get(jsonRpcToken('feature'));
      const rootPeer = injector.get(JSON_RPC);
      expect(rootPeer).toBe(TestBed.inject(JSON_RPC));
      expect(await featurePeer.request('whoami')).toBe('child');

      injector.destroy();

      expect(await lastValueFrom(featurePeer.state$)).toEqual({ status: 'closed' });
      expect(await rootPeer.request('whoami')).toBe('parent');
    });
  });

  it('closes the peer and throws when setup throws', async () => {
    const server = memoryServer();
    const peers: Peer[] = [];
    configure(
      provideJsonRpc({
        transport: server.transport,
        setup: (peer) => {
          peers.push(peer);
          throw new Error('setup failed');
        },
      }),
    );
    expect(() => TestBed.inject(JSON_RPC)).toThrow('setup failed');
    expect(peers).toHaveLength(1);
    expect(await lastValueFrom(peers[0]!.state$)).toEqual({ status: 'closed' });
  });
});
