import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's chromium, which .ci/run installs with apt. */
export const chromiumPath = '/usr/bin/chromium';

/** Where screenshots go, for people to look at (git-ignored). */
export const artifacts = join(__dirname, '../../artifacts');

/** Launches headless Chromium as the project's tests run it; fails clearly when it is missing. */
export async function launchChromium(): Promise<Browser> {
  try {
    return await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  } catch (cause) {
    throw new Error(`Could not start ${chromiumPath}: install Debian's chromium (apt-get install chromium)`, { cause });
  }
}

/** The browser entry `rx-jsonrpc` bundled with rxjs as one ES module, as a browser app would ship it. */
export async function bundleLibrary(): Promise<string> {
  const result = await build({
    entryPoints: [join(__dirname, '../../lib/index.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
  });
  return result.outputFiles[0]!.text;
}

/** Serves fixed files on 127.0.0.1, port 0; resolves with its origin and how to stop it. */
export async function serveFiles(files: Record<string, string>): Promise<{ origin: string; close(): Promise<void> }> {
  const types: Record<string, string> = { html: 'text/html', js: 'text/javascript' };
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0]!.slice(1) || 'index.html';
    const body = files[path];
    if (body === undefined) return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': types[path.split('.').pop()!] ?? 'text/plain' }).end(body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Saves a screenshot of `page` under artifacts/ for people to look at. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, `${name}.png`) });
}

/** Collects what the page logs and throws, to show when a browser test fails. */
export function pageLog(page: Page): string[] {
  const log: string[] = [];
  page.on('console', (message) => log.push(`console.${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => log.push(`pageerror: ${error.message}`));
  return log;
}
