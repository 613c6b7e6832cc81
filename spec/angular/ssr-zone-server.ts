// An Angular SSR server's process, with zone.js (run by ssr-zone.spec.ts with tsx): renders
// each scenario of ssr-zone.spec.ts against the URLs it is given, prints the results as JSON,
// and must then exit by itself (a socket or timer left open would keep it alive).
import 'zone.js/node';
import { provideZoneChangeDetection } from '@angular/core';
import { http } from 'rx-jsonrpc';
import { provideJsonRpc, type JsonRpcConfig } from 'rx-jsonrpc/angular';
import { webSocket } from 'rx-jsonrpc/node';
import { FieldView, render, ResourceView, SumView, type View } from './ssr-app';

/** The URLs of one backend per scenario, in argv: ws and http, in pairs. */
const [offlineWs, , connectWs, , resourceWs, , viaHttpWs, viaHttp, fieldWs] = process.argv.slice(2);

const app = (config: Partial<JsonRpcConfig>, ws: string | undefined, component: View = SumView) =>
  render(component, [provideZoneChangeDetection(), provideJsonRpc({ transport: webSocket(ws!), ...config })]);

async function main(): Promise<void> {
  const results = {
    offline: await app({}, offlineWs),
    connect: await app({ ssr: 'connect' }, connectWs),
    resource: await app({ ssr: 'connect' }, resourceWs, ResourceView),
    viaHttp: await app({ ssr: { transport: () => http(viaHttp!) } }, viaHttpWs),
    field: await app({ ssr: 'connect' }, fieldWs, FieldView),
  };
  process.stdout.write(JSON.stringify(results));
}

void main();
