/** @jest-environment jsdom */
// The component test of docs/angular.md ("Testing with JsonRpcTestingController"), as it runs.
import './test-bed';
import { Component, provideZonelessChangeDetection } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { TestBed } from '@angular/core/testing';
import { scan } from 'rxjs';
import { webSocket } from 'rx-jsonrpc';
import { injectJsonRpc, JsonRpcTestingController, provideJsonRpc, provideJsonRpcTesting } from 'rx-jsonrpc/angular';

@Component({
  selector: 'app-quote',
  template: `<p>ACME: {{ price() ?? '…' }}, {{ trades() }} trades</p>`,
})
class QuoteView {
  private readonly rpc = injectJsonRpc();
  readonly price = toSignal(this.rpc.request$<number>('quote.get', { symbol: 'ACME' }));
  readonly trades = toSignal(this.rpc.notifications$('trade').pipe(scan((count) => count + 1, 0)), {
    initialValue: 0,
  });
}

describe('QuoteView', () => {
  let controller: JsonRpcTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [
        provideZonelessChangeDetection(),
        provideJsonRpc({ transport: webSocket('wss://api.example.org/rpc') }), // never opened
        provideJsonRpcTesting(),
      ],
    });
    controller = TestBed.inject(JsonRpcTestingController);
  });

  afterEach(() => controller.verify());

  it('shows the price the server answers and counts the trades it pushes', async () => {
    const fixture = TestBed.createComponent(QuoteView);
    fixture.detectChanges(); // the first render: toSignal subscribes, the call is made

    const call = controller.expectOne('quote.get');
    expect(call.params).toEqual({ symbol: 'ACME' });
    call.flush(42);
    controller.notify('trade', { price: 42 });
    controller.notify('trade', { price: 43 });

    await fixture.whenStable();
    expect((fixture.nativeElement as HTMLElement).textContent).toBe('ACME: 42, 2 trades');
  });

  it('fails verify() when a call is left unanswered', () => {
    TestBed.createComponent(QuoteView).detectChanges();
    expect(() => controller.verify()).toThrow(/quote\.get \(id 1, connection 'default'\), never expected/);
    controller.expectOne('quote.get').flush(42);
  });
});
