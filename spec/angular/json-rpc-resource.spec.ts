/** @jest-environment jsdom */
import './test-bed';
import { provideZonelessChangeDetection, signal, type ResourceRef } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { connect, ErrorCodes, generic, JsonRpcError, memoryPair, type Peer } from 'rx-jsonrpc';
import {
  JSON_RPC,
  jsonRpcResource,
  jsonRpcToken,
  provideJsonRpc,
  type JsonRpcResourceRequest,
} from 'rx-jsonrpc/angular';
import { closeServers, memoryServer } from './memory-server';

// The server's handlers see the cancel notification: both peers speak generic(), which has one.
let server: Peer;
/** The keys `lookup` was called with, and those whose call was abandoned (its abort signal). */
let called: string[];
let aborted: string[];
/** The app's peers, to check that nothing is left pending. */
let appPeers: Peer[];

beforeEach(() => {
  called = [];
  aborted = [];
  const link = memoryPair();
  server = connect(link.server, { dialect: generic() });
  // `lookup` answers its key in upper case, except `slow`, which is never answered.
  server.handle('lookup', ({ key }: { key: string }, { signal }) => {
    called.push(key);
    signal.addEventListener('abort', () => aborted.push(key));
    return key === 'slow' ? new Promise<never>(() => undefined) : key.toUpperCase();
  });
  TestBed.configureTestingModule({
    providers: [
      provideZonelessChangeDetection(),
      provideJsonRpc({ transport: link.client, options: { dialect: generic() } }),
      provideJsonRpc({ name: 'prices', transport: memoryServer('prices').transport }),
    ],
  });
  appPeers = [TestBed.inject(JSON_RPC), TestBed.inject(jsonRpcToken('prices'))];
});

afterEach(async () => {
  // Nothing pending once a test is over: every call was answered or abandoned.
  expect(appPeers.map((peer) => peer.pendingCount)).toEqual([0, 0]);
  await server.close();
  closeServers();
});

/** A resource made in the TestBed's injection context, calling what `request` says. */
const resource = <T>(request: () => JsonRpcResourceRequest | undefined, connection?: string) =>
  TestBed.runInInjectionContext(() => jsonRpcResource<T>(request, connection === undefined ? {} : { connection }));

/** Runs Angular's effects until `done()` holds (at most 2 s). */
async function until(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 2_000;
  for (TestBed.tick(); !done(); TestBed.tick()) {
    if (Date.now() > deadline) throw new Error(`never ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const lookup = (key: string): JsonRpcResourceRequest => ({ method: 'lookup', params: { key } });

describe('jsonRpcResource', () => {
  it("calls the method with the request's params and shows the result", async () => {
    const ref = resource<string>(() => lookup('ada'));
    await until(() => ref.status() === 'resolved', 'resolved');
    expect(ref.value()).toBe('ADA');
    expect(ref.isLoading()).toBe(false);
    expect(called).toEqual(['ada']);
  });

  it('calls the connection named by `connection`', async () => {
    const ref = resource<string>(() => ({ method: 'whoami' }), 'prices');
    await until(() => ref.status() === 'resolved', 'resolved');
    expect(ref.value()).toBe('prices');
  });

  describe('when the signals the request reads change', () => {
    it("abandons the call in flight (the server's handler sees its signal abort) and shows the new call's result", async () => {
      const key = signal('slow');
      const ref = resource<string>(() => lookup(key()));
      await until(() => called.length === 1, 'called slow');
      expect(ref.status()).toBe('loading');

      key.set('grace');
      await until(() => ref.status() === 'resolved', 'resolved');
      expect(ref.value()).toBe('GRACE');
      await until(() => aborted.length === 1, 'aborted slow');
      expect(called).toEqual(['slow', 'grace']);
      expect(aborted).toEqual(['slow']);
    });
  });

  describe('when the request is undefined', () => {
    it('is idle and calls nothing, until the request names a call', async () => {
      const key = signal<string | undefined>(undefined);
      const ref = resource<string>(() => {
        const value = key();
        return value === undefined ? undefined : lookup(value);
      });
      TestBed.tick();
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(ref.status()).toBe('idle');
      expect(ref.value()).toBeUndefined();
      expect(called).toEqual([]);

      key.set('ada');
      await until(() => ref.status() === 'resolved', 'resolved');
      expect(ref.value()).toBe('ADA');
    });
  });

  describe('when the call fails', () => {
    it('is in error, with the JsonRpcError of the answer', async () => {
      const ref: ResourceRef<unknown> = resource(() => ({ method: 'nope' }));
      await until(() => ref.status() === 'error', 'in error');
      const error = ref.error();
      expect(error).toBeInstanceOf(JsonRpcError);
      expect((error as JsonRpcError).code).toBe(ErrorCodes.MethodNotFound);
      // Reading the value of a resource in error throws, as with every Angular resource.
      expect(() => ref.value()).toThrow();
      expect(ref.hasValue()).toBe(false);
      expect(ref.isLoading()).toBe(false);
    });
  });

  it('calls again on reload(), and abandons its call when destroyed', async () => {
    const key = signal('ada');
    const ref = resource<string>(() => lookup(key()));
    await until(() => ref.status() === 'resolved', 'resolved');
    expect(ref.reload()).toBe(true);
    await until(() => called.length === 2 && ref.status() === 'resolved', 'reloaded');

    key.set('slow');
    await until(() => called.length === 3, 'called slow');
    ref.destroy();
    await until(() => aborted.length === 1, 'aborted slow');
    expect(aborted).toEqual(['slow']);
    expect(ref.status()).toBe('idle');
  });
});
