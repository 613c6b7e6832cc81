/** @jest-environment jsdom */
import './test-bed';
import { Injectable, provideZonelessChangeDetection } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { firstValueFrom, type Observable } from 'rxjs';
import type { Peer } from 'rx-jsonrpc';
import { injectJsonRpc, JSON_RPC, jsonRpcToken, provideJsonRpc } from 'rx-jsonrpc/angular';
import { closeServers, memoryServer } from './memory-server';

afterEach(closeServers);

interface MathApi {
  calls: { 'math.sum': (params: [number, number]) => number; whoami: () => string };
}

const MATH = jsonRpcToken<MathApi>('math');

@Injectable({ providedIn: 'root' })
class Calculator {
  private readonly rpc = injectJsonRpc(MATH);
  sum$(a: number, b: number): Observable<number> {
    return this.rpc.request$('math.sum', [a, b]);
  }
}

describe('injectJsonRpc', () => {
  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [
        provideZonelessChangeDetection(),
        provideJsonRpc({ transport: memoryServer('default').transport }),
        provideJsonRpc<MathApi>({ name: 'math', transport: memoryServer('math').transport }),
      ],
    });
  });

  it('injects the default connection without a name', () => {
    expect(TestBed.runInInjectionContext(() => injectJsonRpc())).toBe(TestBed.inject(JSON_RPC));
  });

  it('injects a named connection by its name or its token', async () => {
    const byName = TestBed.runInInjectionContext(() => injectJsonRpc('math'));
    expect(TestBed.runInInjectionContext(() => injectJsonRpc(MATH))).toBe(byName);
    expect(await byName.request('whoami')).toBe('math');
  });

  it('gives services a peer typed by the API of the token', async () => {
    expect(await firstValueFrom(TestBed.inject(Calculator).sum$(2, 3))).toBe(5);
    const peer: Peer<MathApi> = TestBed.runInInjectionContext(() => injectJsonRpc(MATH));
    // @ts-expect-error math.sum takes two numbers
    void peer.request$('math.sum', ['2', 3]);
    // @ts-expect-error MathApi calls no such method
    void peer.request$('math.product', [2, 3]);
  });

  it("throws Angular's no-provider error naming the connection when nothing provides it", () => {
    expect(() => TestBed.runInInjectionContext(() => injectJsonRpc('chat'))).toThrow(
      /NG0201: No provider found for `InjectionToken rx-jsonrpc peer 'chat' \(add provideJsonRpc\(\.\.\.\) to the providers\)`/,
    );
  });

  it('throws outside an injection context', () => {
    expect(() => injectJsonRpc()).toThrow(/NG0203/);
  });
});
