// The component specs, run once with zone.js (zone.spec.ts) and once zoneless (zoneless.spec.ts).
import { inject, InjectionToken, type EnvironmentProviders, type Provider, type Type } from '@angular/core';
import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { JsonRpcError } from 'rx-jsonrpc';
import type { Transport } from 'rx-jsonrpc';
import {
  JSON_RPC,
  JsonRpcTestingController,
  provideJsonRpc,
  provideJsonRpcTesting,
  withInterceptors,
  type JsonRpcConfig,
  type JsonRpcFeature,
} from 'rx-jsonrpc/angular';
import { AsyncPipeView, ConfirmView, RetryView, SignalsView } from './components';
import { closeServers, memoryServer, type MemoryServer } from './memory-server';

/** Waits (without calling detectChanges) until the rendered text satisfies `expected`. */
export async function rendered<T>(fixture: ComponentFixture<T>, expected: RegExp, timeout = 2_000): Promise<void> {
  const deadline = Date.now() + timeout;
  const text = () =>
    Array.from((fixture.nativeElement as HTMLElement).querySelectorAll('p, li'), (element) =>
      element.textContent!.trim(),
    ).join(' ');
  while (!expected.test(text())) {
    if (Date.now() > deadline) throw new Error(`The view never showed ${String(expected)}; it shows "${text()}"`);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await fixture.whenStable();
  }
}

/** How a mode links the app's peer to the memory server: as is, or as a browser's socket would under zone.js. */
export type Link = (transport: Transport) => JsonRpcConfig['transport'];

/** Defines the component specs for one change detection mode. */
export function componentSpecs(changeDetection: Provider | EnvironmentProviders, link: Link = (t) => t): void {
  describe('components', () => defineSpecs(changeDetection, link));
}

function defineSpecs(changeDetection: Provider | EnvironmentProviders, link: Link): void {
  let server: MemoryServer;

  /** Creates `component` with a peer over the memory link, updating itself (autoDetect). */
  const create = <T>(component: Type<T>, ...features: JsonRpcFeature[]): ComponentFixture<T> => {
    server = memoryServer();
    TestBed.configureTestingModule({
      providers: [changeDetection, provideJsonRpc({ transport: link(server.transport) }, ...features)],
    });
    const fixture = TestBed.createComponent(component);
    fixture.autoDetectChanges();
    return fixture;
  };

  afterEach(() => {
    // Nothing pending once the test is over: every call was answered or unsubscribed.
    expect(TestBed.inject(JSON_RPC).pendingCount).toBe(0);
    closeServers();
  });

  describe('a component with the async pipe', () => {
    it("shows a call's result and each notification as it arrives", async () => {
      const fixture = create(AsyncPipeView);
      await rendered(fixture, /^sum: 42$/);
      server.peer.notify('news', ['first']);
      await rendered(fixture, /^sum: 42 first$/);
      server.peer.notify('news', ['second']);
      await rendered(fixture, /^sum: 42 first second$/);
    });

    it('calls once per subscription: destroying the component unsubscribes', async () => {
      const fixture = create(AsyncPipeView);
      await rendered(fixture, /sum: 42/);
      fixture.destroy();
      server.peer.notify('news', ['unseen']);
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect((fixture.nativeElement as HTMLElement).textContent).not.toContain('unseen');
    });
  });

  describe('a component whose calls go through an interceptor', () => {
    it('shows the answer to the params the interceptor sent, with a value it injected', async () => {
      const OFFSET = new InjectionToken<number>('OFFSET', { factory: () => 58 });
      const fixture = create(
        AsyncPipeView,
        withInterceptors([
          (call, next) =>
            call.method === 'math.sum' && Array.isArray(call.params)
              ? next({ ...call, params: [call.params[0], Number(call.params[1]) + inject(OFFSET)] })
              : next(call),
        ]),
      );
      await rendered(fixture, /^sum: 100$/);
    });
  });

  describe('a component tested with JsonRpcTestingController', () => {
    let controller: JsonRpcTestingController;

    /** Creates `component` with its peer linked to the testing controller. */
    const createTested = <T>(component: Type<T>): ComponentFixture<T> => {
      TestBed.configureTestingModule({
        providers: [
          changeDetection,
          provideJsonRpc({
            transport: {
              connect: () => {
                throw new Error('A transport was opened under provideJsonRpcTesting()');
              },
            },
          }),
          provideJsonRpcTesting(),
        ],
      });
      controller = TestBed.inject(JsonRpcTestingController);
      const fixture = TestBed.createComponent(component);
      fixture.autoDetectChanges();
      // The first render subscribes (the async pipe, toSignal): its calls are made then. Not
      // whenStable(): under zone.js, a call in flight (its timeout's timer) keeps the zone busy.
      fixture.detectChanges();
      return fixture;
    };

    // A call a destroyed component abandoned needs no answer.
    afterEach(() => controller.verify({ ignoreCancelled: true }));

    it('shows the answer the test flushes and the notifications it sends (async pipe)', async () => {
      const fixture = createTested(AsyncPipeView);
      const call = controller.expectOne('math.sum');
      expect(call.params).toEqual([19, 23]);
      call.flush(42);
      await rendered(fixture, /^sum: 42$/);
      controller.notify('news', ['first']);
      await rendered(fixture, /^sum: 42 first$/);
    });

    it('sees the call abandoned when the component is destroyed', () => {
      const fixture = createTested(AsyncPipeView);
      const call = controller.expectOne('math.sum');
      fixture.destroy();
      expect(call.cancelled).toBe(true);
    });

    it('shows the answer to a click (toSignal)', async () => {
      const fixture = createTested(SignalsView);
      await rendered(fixture, /state: open sum: … latest: none/);
      controller.expectNone('math.sum');
      (fixture.nativeElement as HTMLElement).querySelector('button')!.click();
      controller.expectOne({ method: 'math.sum' }).flush(101);
      await rendered(fixture, /sum: 101/);
      controller.notify('news', ['hello']);
      await rendered(fixture, /latest: hello/);
    });

    it("answers the test's calls with its handler", async () => {
      const fixture = createTested(ConfirmView);
      expect(await controller.request('ui.confirm', ['Buy tea?'])).toBe(true);
      await rendered(fixture, /asked: Buy tea\?/);
    });
  });

  describe('a component with toSignal', () => {
    it('shows the state, the latest notification, and the answer to a click', async () => {
      const fixture = create(SignalsView);
      await rendered(fixture, /state: open sum: … latest: none/);
      server.peer.notify('news', ['hello']);
      await rendered(fixture, /latest: hello/);
      (fixture.nativeElement as HTMLElement).querySelector('button')!.click();
      await rendered(fixture, /sum: 101/);
      (fixture.nativeElement as HTMLElement).querySelector('button')!.click();
      await rendered(fixture, /sum: 102/);
    });

    it('shows the link closing', async () => {
      const fixture = create(SignalsView);
      await rendered(fixture, /state: open/);
      server.link.drop();
      await rendered(fixture, /state: closed/);
    });
  });

  describe('a component with retry and catchError', () => {
    const failing = (times: number) => {
      let calls = 0;
      server.peer.handle('flaky', () => {
        if (++calls <= times) throw new JsonRpcError(-32000, `busy (${calls})`);
        return `after ${calls} calls`;
      });
    };

    it('shows the answer once a retry succeeds', async () => {
      const fixture = create(RetryView);
      failing(2);
      await rendered(fixture, /^ok: after 3 calls$/);
    });

    it('shows the last error when every try fails', async () => {
      const fixture = create(RetryView);
      failing(3);
      await rendered(fixture, /^failed: Request \d+ \(flaky\) failed: busy \(3\) \(-32000\)$/);
    });
  });

  describe('a component answering server calls', () => {
    it('answers while on screen and stops answering once destroyed', async () => {
      const fixture = create(ConfirmView);
      expect(await server.peer.request('ui.confirm', ['Buy tea?'])).toBe(true);
      await rendered(fixture, /asked: Buy tea\?/);
      expect(await server.peer.request('ui.confirm', ['Sell tea.'])).toBe(false);

      fixture.destroy();
      await expect(server.peer.request('ui.confirm', ['Still there?'])).rejects.toThrow('Method not found');
    });
  });
}
