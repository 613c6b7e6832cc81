// Interoperability: rx-jsonrpc over stdio (Content-Length framing, the lsp() dialect)
// against typescript-language-server, a real language server from npm, run as a child
// process: initialize, its requests to us, its work-done progress, calls, and $/cancelRequest.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { filter, firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import { connect, lsp, type Peer, requestWithProgress$, type RpcError } from 'rx-jsonrpc';
import { spawnProcess } from 'rx-jsonrpc/node';

const root = join(__dirname, '../..');
const project = mkdtempSync(join(tmpdir(), 'rx-jsonrpc-lsp-'));
const source =
  'export const answer: number = 42;\nexport function twice(n: number) { return n * 2; }\ntwice(answer);\n';
writeFileSync(join(project, 'tsconfig.json'), '{ "compilerOptions": { "strict": true } }');
writeFileSync(join(project, 'index.ts'), source);
const file = pathToFileURL(join(project, 'index.ts')).href;

let peer: Peer;
const createdTokens: unknown[] = [];
const reported: RpcError[] = [];
let progress: Promise<{ token: unknown; value: { kind: string } }[]>;

beforeAll(async () => {
  peer = connect(
    spawnProcess(process.execPath, [join(root, 'node_modules/typescript-language-server/lib/cli.mjs'), '--stdio'], {
      stderr: 'ignore',
    }),
    { dialect: lsp(), timeout: 20_000 },
  );
  peer.errors$.subscribe((error) => reported.push(error));
  // What the server asks of its client.
  peer.handle('window/workDoneProgress/create', ({ token }: { token: string }) => void createdTokens.push(token));
  peer.handle('workspace/configuration', ({ items }: { items: unknown[] }) => items.map(() => null));
  peer.handle('client/registerCapability', () => null);
  progress = firstValueFrom(
    peer.notifications$<{ token: unknown; value: { kind: string } }>('$/progress').pipe(
      filter((p) => p.value.kind === 'begin' || p.value.kind === 'end'),
      take(2),
      toArray(),
    ),
  );
  await peer.request('initialize', {
    processId: process.pid,
    rootUri: pathToFileURL(project).href,
    capabilities: { window: { workDoneProgress: true } },
    initializationOptions: { tsserver: { path: join(root, 'node_modules/typescript/lib/tsserver.js') } },
  });
  peer.notify('initialized', {});
  peer.notify('textDocument/didOpen', {
    textDocument: { uri: file, languageId: 'typescript', version: 1, text: source },
  });
}, 30_000);

afterAll(() => peer.close());

const position = { textDocument: { uri: file }, position: { line: 1, character: 17 } };

describe('typescript-language-server over stdio', () => {
  it('answers a hover', async () => {
    const hover = await peer.request<{ contents: { value: string } }>('textDocument/hover', position);
    expect(hover.contents.value).toContain('function twice(n: number): number');
  }, 20_000);

  it('asks us to create a work-done progress token, then reports begin and end on it', async () => {
    const [begin, end] = await progress;
    expect(createdTokens).toHaveLength(1);
    expect(begin).toMatchObject({ token: createdTokens[0], value: { kind: 'begin' } });
    expect(end).toMatchObject({ token: createdTokens[0], value: { kind: 'end' } });
  }, 20_000);

  it('takes a workDoneToken in a call made with requestWithProgress$, and answers', async () => {
    const events = await lastValueFrom(
      requestWithProgress$(peer, 'textDocument/references', {
        ...position,
        context: { includeDeclaration: true },
      }).pipe(toArray()),
    );
    const last = events.at(-1);
    expect(last?.kind).toBe('result');
    expect(last?.kind === 'result' && (last.result as unknown[]).length).toBe(2);
  }, 20_000);

  it('sends $/cancelRequest for a call given up, and drops the late answer quietly', async () => {
    const sent: { method?: string; params?: { id?: unknown } }[] = [];
    const watching = peer.trace$
      .pipe(filter((e) => e.kind === 'out'))
      .subscribe((e) => sent.push(JSON.parse(String((e as { frame: string }).frame))));
    const call = peer.request$('textDocument/completion', position).subscribe({ error: () => undefined });
    call.unsubscribe();
    const cancel = sent.find((m) => m.method === '$/cancelRequest');
    expect(cancel?.params?.id).toEqual(expect.any(Number));
    // Whatever the server answers the cancelled call with (-32800 or a late result), nothing is reported.
    await expect(peer.request('textDocument/hover', position)).resolves.toBeDefined();
    watching.unsubscribe();
    expect(peer.pendingCount).toBe(0);
    expect(reported).toEqual([]);
  }, 20_000);
});
