// The browser entry in real Chromium: a page and a module Worker talking over postMessage.
import type { Browser } from 'playwright-core';
import { bundleLibrary, launchChromium, pageLog, screenshot, serveFiles } from '../helpers/browser';

let browser: Browser;
let site: { origin: string; close(): Promise<void> };

const worker = `
import { connect, messagePort } from './rx-jsonrpc.js';
const page = connect(messagePort(self));
page.handle('math.sum', ([a, b]) => a + b);
page.handle('greet', async (_params, { peer }) => 'hello ' + (await peer.request('user.name')));
page.notify('worker.ready', { at: 'worker' });
`;

const html = `<!doctype html><html><body><h1>rx-jsonrpc in a Worker</h1><pre id="out">running…</pre>
<script type="module">
import { connect, messagePort } from './rx-jsonrpc.js';
const out = document.getElementById('out');
const rpc = connect(messagePort(new Worker('./worker.js', { type: 'module' })));
rpc.handle('user.name', () => 'browser');
const ready = new Promise((resolve) => rpc.notifications$('worker.ready').subscribe(resolve));
window.results = (async () => ({
  ready: await ready,
  sum: await rpc.request('math.sum', [20, 22]),
  greeting: await rpc.request('greet'),
  missing: await rpc.request('nope').catch((error) => ({ name: error.name, code: error.code })),
}))();
window.results.then((results) => (out.textContent = JSON.stringify(results, null, 2)));
</script></body></html>`;

beforeAll(async () => {
  const library = await bundleLibrary();
  site = await serveFiles({ 'index.html': html, 'worker.js': worker, 'rx-jsonrpc.js': library });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

describe('in a real browser', () => {
  it('calls a Web Worker, is notified by it, and answers its call back', async () => {
    const page = await browser.newPage();
    const log = pageLog(page);
    await page.goto(`${site.origin}/index.html`);
    const results = await page
      .evaluate(() => (window as unknown as { results: Promise<unknown> }).results)
      .catch((error: Error) => {
        throw new Error(`${error.message}\n${log.join('\n')}`);
      });
    expect(results).toEqual({
      ready: { at: 'worker' },
      sum: 42,
      greeting: 'hello browser',
      missing: { name: 'JsonRpcError', code: -32601 },
    });
    await page.waitForFunction(() => document.getElementById('out')?.textContent?.includes('"sum": 42'));
    await screenshot(page, 'browser-worker');
    expect(log.filter((line) => line.startsWith('pageerror'))).toEqual([]);
    await page.close();
  }, 30_000);
});
