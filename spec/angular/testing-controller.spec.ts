/** @jest-environment jsdom */
import './test-bed';
import { createEnvironmentInjector, EnvironmentInjector, provideZonelessChangeDetection } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import type { Observable } from 'rxjs';
import { JsonRpcError, type Transport } from 'rx-jsonrpc';
import {
  JSON_RPC,
  jsonRpcToken,
  JsonRpcTestingController,
  provideJsonRpc,
  provideJsonRpcTesting,
  withInterceptors,
} from 'rx-jsonrpc/angular';

/** A transport a test must never open: under provideJsonRpcTesting(), nothing does. */
const unused: Transport = {
  connect: () => {
    throw new Error('The transport was opened under provideJsonRpcTesting()');
  },
};

/** What a subscription to `source` has received so far: its values, and its error. */
function record<T>(source: Observable<T>) {
  const seen: { values: T[]; error?: unknown; completed: boolean } = { values: [], completed: false };
  source.subscribe({
    next: (value) => seen.values.push(value),
    error: (error: unknown) => (seen.error = error),
    complete: () => (seen.completed = true),
  });
  return seen;
}

/** The `symbol` of named params. */
const symbolOf = (params: unknown) =>
  typeof params === 'object' && params !== null && 'symbol' in params ? params.symbol : undefined;

let controller: JsonRpcTestingController;

beforeEach(() => {
  TestBed.configureTestingModule({
    providers: [
      provideZonelessChangeDetection(),
      provideJsonRpc({
        transport: () => {
          throw new Error('The transport factory was called under provideJsonRpcTesting()');
        },
        setup: (peer) => {
          peer.handle('ui.confirm', ([text]: [string]) => text.endsWith('?'));
          peer.handle('ui.refuse', () => {
            throw new JsonRpcError(4001, 'Refused', { why: 'testing' });
          });
        },
      }),
      provideJsonRpc({ name: 'prices', transport: unused }),
      provideJsonRpcTesting(),
    ],
  });
  controller = TestBed.inject(JsonRpcTestingController);
});

describe('JsonRpcTestingController', () => {
  afterEach(() => controller.verify());

  describe('expectOne', () => {
    it('holds the call the app made, with its method, params and id; flush answers at once', () => {
      const sum = record(TestBed.inject(JSON_RPC).request$('math.sum', [1, 2]));
      const call = controller.expectOne('math.sum');
      expect([call.method, call.params, call.id, call.connection]).toEqual(['math.sum', [1, 2], 1, 'default']);
      call.flush(3);
      expect(sum).toEqual({ values: [3], completed: true });
    });

    it('matches by predicate, or by method and connection', () => {
      const prices = TestBed.inject(jsonRpcToken('prices'));
      const acme = record(prices.request$('quote', { symbol: 'ACME' }));
      const initech = record(prices.request$('quote', { symbol: 'INTC' }));
      const user = record(TestBed.inject(JSON_RPC).request$('quote', { symbol: 'ACME' }));
      controller.expectOne((call) => call.connection === 'prices' && symbolOf(call.params) === 'INTC').flush(7);
      controller.expectOne({ method: 'quote', connection: 'prices' }).flush(42);
      controller.expectOne({ connection: 'default' }).flush(1);
      expect([acme.values, initech.values, user.values]).toEqual([[42], [7], [1]]);
    });

    it('answers with an error: the app sees a JsonRpcError with its code, message and data', () => {
      const call = record(TestBed.inject(JSON_RPC).request$('user.get', [7]));
      controller.expectOne('user.get').error(404, 'No user 7', { id: 7 });
      expect(call.error).toBeInstanceOf(JsonRpcError);
      expect(call.error).toMatchObject({ code: 404, remoteMessage: 'No user 7', data: { id: 7 } });
      expect((call.error as JsonRpcError).message).toBe('Request 1 (user.get) failed: No user 7 (404)');
    });

    it('throws when no call matches, listing the calls waiting', () => {
      record(TestBed.inject(JSON_RPC).request$('math.sum', [1, 2]));
      expect(() => controller.expectOne('math.product')).toThrow(
        "Expected one matching JSON-RPC call for method math.product, found 0; the calls waiting: math.sum (id 1, connection 'default')",
      );
      controller.expectOne('math.sum').flush(3);
    });

    it('throws when two calls match, naming the description, and takes neither', () => {
      const rpc = TestBed.inject(JSON_RPC);
      record(rpc.request$('math.sum', [1, 2]));
      record(rpc.request$('math.sum', [3, 4]));
      expect(() => controller.expectOne('math.sum', 'the sum')).toThrow(
        'Expected one matching JSON-RPC call for the sum, found 2',
      );
      const both = controller.match('math.sum');
      expect(both.map((call) => call.params)).toEqual([
        [1, 2],
        [3, 4],
      ]);
      for (const call of both) call.flush(0);
    });

    it('throws when a call is answered twice', () => {
      record(TestBed.inject(JSON_RPC).request$('math.sum', [1, 2]));
      const call = controller.expectOne('math.sum');
      call.flush(3);
      expect(() => call.flush(4)).toThrow('Call 1 (math.sum) was answered already');
    });
  });

  describe('match and expectNone', () => {
    it('match takes every call that matches, leaving the others', () => {
      const rpc = TestBed.inject(JSON_RPC);
      const answers = [record(rpc.request$('a')), record(rpc.request$('b')), record(rpc.request$('a'))];
      const found = controller.match('a');
      expect(found.map((call) => call.id)).toEqual([1, 3]);
      expect(controller.match('a')).toEqual([]);
      for (const call of found) call.flush('A');
      controller.expectOne('b').flush('B');
      expect(answers.map((answer) => answer.values)).toEqual([['A'], ['B'], ['A']]);
    });

    it('expectNone throws when a call matches, and passes otherwise', () => {
      record(TestBed.inject(JSON_RPC).request$('user.delete', [7]));
      expect(() => controller.expectNone('user.get')).not.toThrow();
      expect(() => controller.expectNone('user.delete', 'no deletion')).toThrow(
        "Expected no matching JSON-RPC calls for no deletion, found 1: user.delete (id 1, connection 'default')",
      );
      controller.expectOne('user.delete').flush(true);
    });
  });

  describe('notify', () => {
    it("reaches the app's notifications$ before it returns, on the connection named", () => {
      const news = record(TestBed.inject(JSON_RPC).notifications$('news'));
      const ticks = record(TestBed.inject(jsonRpcToken('prices')).notifications$('tick'));
      controller.notify('news', ['hello']);
      controller.notify('tick', { price: 42 }, 'prices');
      expect([news.values, ticks.values]).toEqual([[['hello']], [{ price: 42 }]]);
    });

    it('throws when no peer of the connection is connected yet', () => {
      expect(() => controller.notify('news', ['too early'])).toThrow(
        "No peer of connection 'default' is connected: inject it first",
      );
    });
  });

  describe('request', () => {
    it("calls the app's handler as the server would, and resolves with its answer", async () => {
      TestBed.inject(JSON_RPC);
      await expect(controller.request('ui.confirm', ['Buy tea?'])).resolves.toBe(true);
      await expect(controller.request('ui.confirm', ['Sell tea.'])).resolves.toBe(false);
    });

    it("rejects with the handler's error, or Method not found", async () => {
      TestBed.inject(JSON_RPC);
      await expect(controller.request('ui.refuse')).rejects.toMatchObject({
        name: 'JsonRpcError',
        code: 4001,
        data: { why: 'testing' },
        message: 'Request test-1 (ui.refuse) failed: Refused (4001)',
      });
      await expect(controller.request('ui.unknown')).rejects.toThrow('Method not found');
    });
  });

  it('leaves the interceptors of the connection above it', () => {
    TestBed.resetTestingModule();
    TestBed.configureTestingModule({
      providers: [
        provideZonelessChangeDetection(),
        provideJsonRpc(
          { transport: unused },
          withInterceptors([(call, next) => next({ ...call, params: { ...call.params, token: 't' } })]),
        ),
        provideJsonRpcTesting(),
      ],
    });
    controller = TestBed.inject(JsonRpcTestingController);
    const answer = record(TestBed.inject(JSON_RPC).request$('user.me', {}));
    const call = controller.expectOne('user.me');
    expect(call.params).toEqual({ token: 't' });
    call.flush({ name: 'ada' });
    expect(answer.values).toEqual([{ name: 'ada' }]);
  });
});

describe('a call the app abandons', () => {
  it('is cancelled when the app unsubscribes: it cannot be answered, and verify() says so', () => {
    const subscription = TestBed.inject(JSON_RPC)
      .request$('report.build')
      .subscribe(() => undefined);
    const call = controller.expectOne('report.build');
    expect(call.cancelled).toBe(false);
    subscription.unsubscribe();
    expect(call.cancelled).toBe(true);
    expect(() => call.flush('late')).toThrow('Call 1 (report.build) cannot be answered: the app abandoned it');
    expect(() => controller.verify()).toThrow(
      "report.build (id 1, connection 'default', abandoned by the app), expected but never answered",
    );
    expect(() => controller.verify({ ignoreCancelled: true })).not.toThrow();
  });

  it('is cancelled when its timeout passes', async () => {
    TestBed.resetTestingModule();
    TestBed.configureTestingModule({
      providers: [
        provideZonelessChangeDetection(),
        provideJsonRpc({ transport: unused, options: { timeout: 10 } }),
        provideJsonRpcTesting(),
      ],
    });
    controller = TestBed.inject(JsonRpcTestingController);
    const answer = TestBed.inject(JSON_RPC).request('report.build');
    await expect(answer).rejects.toThrow('Request 1 (report.build) timed out after 10 ms');
    expect(controller.expectOne('report.build').cancelled).toBe(true);
    controller.verify({ ignoreCancelled: true });
  });
});

describe('JsonRpcTestingController.verify', () => {
  it('throws for a call no expectation took', () => {
    record(TestBed.inject(JSON_RPC).request$('math.sum', [1, 2]));
    expect(() => controller.verify()).toThrow(
      "Expected no open JSON-RPC calls, found 1:\n  math.sum (id 1, connection 'default'), never expected",
    );
  });

  it('throws for a call expected but never answered', () => {
    record(TestBed.inject(JSON_RPC).request$('math.sum', [1, 2]));
    controller.expectOne('math.sum');
    expect(() => controller.verify()).toThrow("math.sum (id 1, connection 'default'), expected but never answered");
  });

  it('throws for a call made to the app that it has not answered', () => {
    TestBed.inject(JSON_RPC).handle('ui.wait', () => new Promise(() => undefined));
    const call = controller.request('ui.wait');
    expect(() => controller.verify()).toThrow('ui.wait (id test-1) made to the app, unanswered');
    // The app's peer closes with the test's injector: the call fails then.
    TestBed.resetTestingModule();
    return expect(call).rejects.toThrow("The app's peer of connection 'default' closed before answering ui.wait");
  });

  it('passes once every call is answered', () => {
    const rpc = TestBed.inject(JSON_RPC);
    record(rpc.request$('a'));
    record(rpc.request$('b'));
    controller.expectOne('a').flush(1);
    controller.expectOne('b').error(-32000, 'busy');
    expect(() => controller.verify()).not.toThrow();
  });
});

describe('provideJsonRpcTesting with a connection provided twice', () => {
  it("fails the second peer's link, saying why, and leaves the first one answered", async () => {
    const first = TestBed.inject(JSON_RPC);
    const parent = TestBed.inject(EnvironmentInjector);
    const child = createEnvironmentInjector([provideJsonRpc({ transport: unused })], parent);
    const second = child.get(JSON_RPC);
    await expect(second.request('b.call')).rejects.toThrow(
      "Connection 'default' already has a peer under provideJsonRpcTesting(): one peer per connection",
    );
    const seen = record(first.request$('a.call'));
    controller.expectOne('a.call').flush(1);
    expect(seen.values).toEqual([1]);
    child.destroy();
  });
});
