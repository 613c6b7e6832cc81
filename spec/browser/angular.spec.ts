// The Angular example (examples/angular) end to end in Chromium: built with the Angular
// CLI's application builder, served by its own server (serve() on /rpc), used as a person
// would: a call's result, live prices, an order the person confirms, and a server restart.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { appFolder, shopSetup, startShopServer, type ShopServer } from '../../examples/angular/server';
import { launchChromium, pageLog, screenshot, serveFiles } from '../helpers/browser';
import { killAllServers, restartableServer } from '../helpers/restartable-server';

const root = join(__dirname, '..', '..');
const example = join(root, 'examples', 'angular');

/** The newest modification time under `path`. */
function newest(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/** Builds the app unless a build newer than its sources and the library's is there (CI builds it first). */
async function ensureBuilt(): Promise<void> {
  const index = join(appFolder, 'index.html');
  const sources = ['src', 'angular.json', 'tsconfig.json'].map((name) => join(example, name));
  if (existsSync(index) && statSync(index).mtimeMs > Math.max(...[...sources, join(root, 'lib')].map(newest))) return;
  await promisify(execFile)(join(root, 'node_modules', '.bin', 'ng'), ['build'], { cwd: example, timeout: 240_000 });
}

/** The app's built files, for a plain file server. */
function appFiles(): Record<string, string> {
  return Object.fromEntries(readdirSync(appFolder).map((name) => [name, readFileSync(join(appFolder, name), 'utf8')]));
}

let browser: Browser;

beforeAll(async () => {
  await ensureBuilt();
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await killAllServers();
});

/** The text of `selector` once it matches `expected`. */
async function shows(page: Page, selector: string, expected: RegExp, log: string[]): Promise<string> {
  try {
    await page.waitForFunction(
      ([selector, source]) => new RegExp(source).test(document.querySelector(selector)?.textContent ?? ''),
      [selector, expected.source] as const,
      { timeout: 10_000 },
    );
  } catch (error) {
    const text = await page.textContent(selector).catch(() => null);
    throw new Error(
      `${selector} never showed ${String(expected)} (it shows ${JSON.stringify(text)})\n${log.join('\n')}`,
      {
        cause: error,
      },
    );
  }
  return (await page.textContent(selector))!.trim();
}

const status = (page: Page) => page.getAttribute('.badge', 'data-status');
const ticks = async (page: Page) => Number((await page.textContent('#tick-count'))!.match(/\d+/)![0]);

describe('the Angular example app', () => {
  let shop: ShopServer | undefined;
  afterEach(async () => {
    await shop?.close();
    shop = undefined;
  });

  it("shows a call's result and live prices, and places an order the person confirms", async () => {
    shop = await startShopServer({ port: 0, tickInterval: 100 });
    const page = await browser.newPage({ viewport: { width: 1000, height: 520 } });
    const log = pageLog(page);
    await page.goto(shop.url);

    await shows(page, '#server-info', /^rx-jsonrpc shop server, connection #1 \(started \d\d:\d\d:\d\d\)$/, log);
    expect(await status(page)).toBe('open');
    await shows(page, '#tick-count', /^([4-9]|\d\d+) ticks$/, log);
    expect(await page.$$eval('tr[data-symbol]', (rows) => rows.map((row) => row.getAttribute('data-symbol')))).toEqual([
      'ACME',
      'INIT',
      'TEA',
    ]);

    await page.click('#order');
    expect(await shows(page, '#confirm-text', /Place order/, log)).toBe('Place order #1: 2 × tea?');
    await screenshot(page, 'angular-confirm');
    await page.click('#confirm-yes');
    expect(await shows(page, '#order-result', /#1/, log)).toBe('order #1: 2 × tea placed');
    expect(await page.$('#confirm-text')).toBeNull();

    await page.click('#order');
    await shows(page, '#confirm-text', /#2/, log);
    await page.click('#confirm-no');
    expect(await shows(page, '#order-result', /#2/, log)).toBe('order #2: cancelled');
    await screenshot(page, 'angular-shop');
    expect(log.filter((line) => line.startsWith('pageerror') || line.startsWith('console.error'))).toEqual([]);
    await page.close();
  }, 30_000);

  it('shows reconnecting while the server is down, then resumes the view', async () => {
    const site = await serveFiles(appFiles());
    // The app comes from another port than the server: another origin, which serve() refuses unless listed.
    const server = await restartableServer(shopSetup({ tickInterval: 100 }), { origins: [site.origin] });
    const page = await browser.newPage({ viewport: { width: 1000, height: 520 } });
    const log = pageLog(page);
    try {
      await page.goto(`${site.origin}/index.html?ws=${encodeURIComponent(server.url)}`);
      await shows(page, '#server-info', /connection #1 /, log);
      await shows(page, '#tick-count', /^([3-9]|\d\d+) ticks$/, log);

      await server.kill();
      await shows(page, '.badge', /^reconnecting \(attempt \d+\)$/, log);
      expect(await status(page)).toBe('reconnecting');
      const ticksWhileDown = await ticks(page);
      await screenshot(page, 'angular-reconnecting');

      await server.start();
      await shows(page, '.badge', /^open$/, log);
      await shows(page, '#server-info', /connection #2 /, log);
      await page.waitForFunction((before) => {
        const count = Number(/\d+/.exec(document.querySelector('#tick-count')?.textContent ?? '')?.[0]);
        return count >= before + 3;
      }, ticksWhileDown);

      await page.click('#order');
      await shows(page, '#confirm-text', /Place order/, log);
      await page.click('#confirm-yes');
      await shows(page, '#order-result', /placed$/, log);
      await screenshot(page, 'angular-resumed');
      expect(log.filter((line) => line.startsWith('pageerror'))).toEqual([]);
    } finally {
      await page.close();
      await site.close();
    }
  }, 30_000);
});
