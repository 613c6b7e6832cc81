/** @jest-environment jsdom */
import './test-bed';
import {
  createEnvironmentInjector,
  EnvironmentInjector,
  inject,
  InjectionToken,
  provideZonelessChangeDetection,
} from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { tap } from 'rxjs';
import { ConnectionClosedError, type Interceptor } from 'rx-jsonrpc';
import { JSON_RPC, jsonRpcToken, provideJsonRpc, withInterceptors } from 'rx-jsonrpc/angular';
import { closeServers, memoryServer } from './memory-server';

afterEach(closeServers);

/** Logs in `log` the calls an interceptor called `name` sees and the answers it gets. */
const logging =
  (name: string, log: string[]): Interceptor =>
  (call, next) => {
    log.push(`${name} sees ${call.method}`);
    return next(call).pipe(tap(() => log.push(`${name} gets an answer`)));
  };

describe('withInterceptors', () => {
  it('runs after options.interceptors, each list in order, the first one outermost', async () => {
    const server = memoryServer();
    const log: string[] = [];
    TestBed.configureTestingModule({
      providers: [
        provideZonelessChangeDetection(),
        provideJsonRpc(
          { transport: server.transport, options: { interceptors: [logging('option', log)] } },
          withInterceptors([logging('first', log), logging('second', log)]),
          withInterceptors([logging('third', log)]),
        ),
      ],
    });
    expect(await TestBed.inject(JSON_RPC).request('math.sum', [1, 2])).toBe(3);
    expect(log).toEqual([
      'option sees math.sum',
      'first sees math.sum',
      'second sees math.sum',
      'third sees math.sum',
      'third gets an answer',
      'second gets an answer',
      'first gets an answer',
      'option gets an answer',
    ]);
  });

  it('runs each interceptor in the injection context of the injector that provides the connection', async () => {
    const server = memoryServer('feature');
    const TENANT = new InjectionToken<string>('TENANT');
    const seen: string[] = [];
    const tenant: Interceptor = (call, next) => {
      seen.push(inject(TENANT));
      return next(call);
    };
    TestBed.configureTestingModule({ providers: [provideZonelessChangeDetection()] });
    // The token exists only in the child injector, where the connection is provided.
    const injector = createEnvironmentInjector(
      [
        { provide: TENANT, useValue: 'acme' },
        provideJsonRpc({ name: 'feature', transport: server.transport }, withInterceptors([tenant])),
      ],
      TestBed.inject(EnvironmentInjector),
    );
    const peer = injector.get(jsonRpcToken('feature'));
    expect(await peer.request('whoami')).toBe('feature');
    expect(await peer.request('whoami')).toBe('feature');
    expect(seen).toEqual(['acme', 'acme']);
    injector.destroy();
  });

  it('fails the call, and only it, when inject() finds nothing', async () => {
    const server = memoryServer();
    const MISSING = new InjectionToken<string>('MISSING');
    TestBed.configureTestingModule({
      providers: [
        provideZonelessChangeDetection(),
        provideJsonRpc(
          { transport: server.transport },
          withInterceptors([
            (call, next) => (call.method === 'whoami' ? next({ ...call, params: [inject(MISSING)] }) : next(call)),
          ]),
        ),
      ],
    });
    const peer = TestBed.inject(JSON_RPC);
    await expect(peer.request('whoami')).rejects.toThrow(/NG0201: No provider found for `InjectionToken MISSING`/);
    expect(await peer.request('math.sum', [2, 2])).toBe(4);
  });

  it("fails calls made after the injector is destroyed with the closed peer's own error", async () => {
    const server = memoryServer();
    TestBed.configureTestingModule({ providers: [provideZonelessChangeDetection()] });
    const injector = createEnvironmentInjector(
      [provideJsonRpc({ name: 'gone', transport: server.transport }, withInterceptors([logging('only', [])]))],
      TestBed.inject(EnvironmentInjector),
    );
    const peer = injector.get(jsonRpcToken('gone'));
    expect(await peer.request('math.sum', [1, 1])).toBe(2);
    injector.destroy();
    await expect(peer.request('math.sum', [1, 1])).rejects.toBeInstanceOf(ConnectionClosedError);
  });
});
