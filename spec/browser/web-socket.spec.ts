// The browser entry in real Chromium with the platform's own WebSocket, against serve():
// calls, notifications, a server → client call, and a reconnect after the server restarts.
import type { Browser, Page } from 'playwright-core';
import { bundleLibrary, launchChromium, pageLog, screenshot, serveFiles } from '../helpers/browser';
import { killAllServers, restartableServer, type RestartableServer } from '../helpers/restartable-server';

let browser: Browser;
let site: { origin: string; close(): Promise<void> };
let server: RestartableServer;

const html = `<!doctype html><html><body><h1>rx-jsonrpc over the browser's WebSocket</h1>
<p>state: <b id="state">?</b></p><pre id="log"></pre>
<script type="module">
import { connect, reconnecting, webSocket } from './rx-jsonrpc.js';
const url = new URLSearchParams(location.search).get('ws');
const log = (line) => (document.getElementById('log').textContent += line + '\\n');
const rpc = connect(webSocket(url), { reconnect: reconnecting({ delay: () => [50] }), timeout: 5000 });
window.rpc = rpc;
window.states = [];
rpc.state$.subscribe((s) => { window.states.push(s.status); document.getElementById('state').textContent = s.status; });
window.ticks = [];
rpc.notifications$('tick').subscribe((n) => { window.ticks.push(n); log('tick ' + JSON.stringify(n)); });
rpc.handle('ui.confirm', ({ text }) => { log('confirm: ' + text); return text.endsWith('?'); });
</script></body></html>`;

beforeAll(async () => {
  site = await serveFiles({ 'index.html': html, 'rx-jsonrpc.js': await bundleLibrary() });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await killAllServers();
});

/** Runs `body` in the page with its peer. */
const inPage = <T>(page: Page, body: string): Promise<T> => page.evaluate(body) as Promise<T>;

describe("the browser's native WebSocket", () => {
  it('calls, is notified, answers a server call, and carries on after the server restarts', async () => {
    server = await restartableServer(
      (peer, _info, self) => {
        peer.handle('math.sum', ([a, b]: number[]) => a! + b!);
        peer.handle('order.place', async ({ item }: { item: string }, { peer: caller }) =>
          (await caller.request('ui.confirm', { text: `Buy ${item}?` })) ? `ordered ${item}` : 'cancelled',
        );
        peer.handle('tick.all', ([n]: [number]) => self.notifyAll('tick', { n }));
      },
      // The page comes from another port: another origin, which serve() refuses unless listed.
      { origins: [site.origin] },
    );
    const page = await browser.newPage();
    const log = pageLog(page);
    await page.goto(`${site.origin}/index.html?ws=${encodeURIComponent(server.url)}`);
    const failWithLog = (error: Error) => {
      throw new Error(`${error.message}\n${log.join('\n')}`);
    };

    expect(await inPage(page, `window.rpc.request('math.sum', [19, 23])`).catch(failWithLog)).toBe(42);
    expect(await inPage(page, `window.rpc.request('order.place', { item: 'tea' })`)).toBe('ordered tea');
    await inPage(page, `window.rpc.request('tick.all', [1])`);
    await page.waitForFunction(() => (window as unknown as { ticks: unknown[] }).ticks.length === 1);

    await server.kill();
    await page.waitForFunction(() => document.getElementById('state')?.textContent === 'reconnecting');
    await screenshot(page, 'browser-web-socket-reconnecting');
    await server.start();
    await page.waitForFunction(() => document.getElementById('state')?.textContent === 'open');
    expect(await inPage(page, `window.rpc.request('math.sum', [1, 2])`)).toBe(3);
    await inPage(page, `window.rpc.request('tick.all', [2])`);
    await page.waitForFunction(() => (window as unknown as { ticks: unknown[] }).ticks.length === 2);
    expect(await inPage(page, 'window.ticks')).toEqual([{ n: 1 }, { n: 2 }]);
    const states = await inPage<string[]>(page, 'window.states');
    expect(states.slice(0, 2)).toEqual(['connecting', 'open']);
    expect(states.at(-1)).toBe('open');
    expect(states).toContain('reconnecting');
    await screenshot(page, 'browser-web-socket');
    expect(log.filter((line) => line.startsWith('pageerror'))).toEqual([]);
    await page.close();
  }, 30_000);
});
