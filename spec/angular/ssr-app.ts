// What the server-side rendering specs render, and the server they count connections on:
// components that call over provideJsonRpc(), rendered by @angular/platform-server's
// renderApplication() as an Angular SSR server renders; a real serve() on 127.0.0.1.
// Used in the spec's process (ssr.spec.ts, zoneless) and in a child (ssr-zone-server.ts).
import '@angular/compiler';
import { Component, type EnvironmentProviders, type Provider } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { bootstrapApplication, type BootstrapContext } from '@angular/platform-browser';
import { renderApplication } from '@angular/platform-server';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { catchError, of } from 'rxjs';
import { positional } from 'rx-jsonrpc';
import { injectJsonRpc, jsonRpcResource } from 'rx-jsonrpc/angular';
import { serve, type JsonRpcServer } from 'rx-jsonrpc/node';

/** A call's answer, or its error's name and message, and the link's state, with signals. */
@Component({
  selector: 'spec-ssr',
  template: `<p>state: {{ state().status }}</p>
    <p>sum: {{ sum() ?? '…' }}</p>`,
})
export class SumView {
  private readonly rpc = injectJsonRpc();
  readonly state = toSignal(this.rpc.state$, { requireSync: true });
  readonly sum = toSignal(
    this.rpc
      .request$<number>('math.sum', [19, 23])
      .pipe(catchError((error: Error) => of(`${error.name}: ${error.message}`))),
  );
}

/** The same call as a resource: its error is a state, not a throw. */
@Component({
  selector: 'spec-ssr',
  template: `@if (sum.hasValue()) {
      <p>sum: {{ sum.value() }}</p>
    } @else if (sum.error()) {
      <p>failed: {{ sum.error()?.name }}</p>
    } @else {
      <p>…</p>
    }`,
})
export class ResourceView {
  readonly sum = jsonRpcResource<number>(() => ({ method: 'math.sum', params: [19, 23] }));
}

/**
 * The same call kept in a plain field, set a moment after the answer: only zone.js knows that
 * the timer is work of the app's, which the render waits for, and that the view changed.
 */
@Component({ selector: 'spec-ssr', template: `<p>sum: {{ sum }}</p>` })
export class FieldView {
  sum: number | string = '…';

  constructor() {
    injectJsonRpc()
      .request$<number>('math.sum', [19, 23])
      .subscribe((sum) => setTimeout(() => (this.sum = sum), 20));
  }
}

/** What the specs render. */
export type View = typeof SumView | typeof ResourceView | typeof FieldView;

/** Renders `component` on the server with `providers`: the text of its page, and how long it took. */
export async function render(
  component: View,
  providers: (Provider | EnvironmentProviders)[],
): Promise<{ text: string; ms: number }> {
  const start = Date.now();
  const html = await renderApplication(
    (context: BootstrapContext) => bootstrapApplication(component, { providers }, context),
    {
      document: '<html><head></head><body><spec-ssr></spec-ssr></body></html>',
      url: 'http://127.0.0.1/',
      allowedHosts: ['127.0.0.1'],
    },
  );
  const body = /<body>([\s\S]*)<\/body>/.exec(html)?.[1] ?? html;
  // Angular's markers and the markup aside: what a reader of the page sees.
  const text = body
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return { text, ms: Date.now() - start };
}

/** A serve() server answering `math.sum`, on an HTTP server of its own that counts what reaches it. */
export interface Backend {
  readonly rpc: JsonRpcServer;
  readonly wsUrl: string;
  readonly httpUrl: string;
  /** TCP connections accepted, and the upgrades and POSTs that reached `authenticate`. */
  readonly reached: { sockets: number; requests: string[] };
  close(): Promise<void>;
}

/** Starts a {@link Backend} on 127.0.0.1, port 0. */
export async function backend(): Promise<Backend> {
  const reached = { sockets: 0, requests: [] as string[] };
  const server = createServer();
  server.on('connection', () => reached.sockets++);
  const rpc = await serve(
    {
      server,
      authenticate: (request) => {
        reached.requests.push(`${request.method} ${request.url}`);
        return true;
      },
    },
    (peer) =>
      peer.handle(
        'math.sum',
        positional((a: number, b: number) => a + b),
      ),
  );
  server.on('request', rpc.listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    rpc,
    reached,
    wsUrl: `ws://127.0.0.1:${port}/rpc`,
    httpUrl: `http://127.0.0.1:${port}/rpc`,
    close: async () => {
      await rpc.close({ drain: 0 });
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Resolves once `rpc` has no client peer left (2 s at most): how many are left. */
export async function emptied(rpc: JsonRpcServer): Promise<number> {
  for (let waited = 0; rpc.peers.size > 0 && waited < 2000; waited += 10) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return rpc.peers.size;
}
