#!/usr/bin/env node
// Type-checks every ```ts code block of README.md, docs/*.md and the TSDoc `@example`s in lib/,
// against the sources (tsconfig.json `paths` map rx-jsonrpc and rx-jsonrpc/node to lib/), so that
// no snippet can drift from the code. `npm run check:snippets`.
//
// Each snippet is its own module (top-level await works; names do not leak between snippets).
// Names a snippet uses without defining (`rpc`, `peer`, `server`, `transport`...) come from the
// prelude, scripts/snippets/prelude.d.ts; CONTRIBUTING.md explains when to add to it.
// A snippet that cannot compile for a good reason is skipped with `<!-- snippet: skip -->` on the
// line before its fence (in Markdown, or in the doc comment); each skipped snippet is listed.
// It also checks the links of README.md (scripts/check-readme-links.mjs): absolute, and resolving
// in the repository, since the npm page shows the README without docs/ or examples/.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readmeLinkProblems } from './check-readme-links.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ts = createRequire(join(root, 'package.json'))('typescript');
const prelude = join(root, 'scripts', 'snippets', 'prelude.d.ts');
const skipMarker = /^<!--\s*snippet:\s*skip\b.*-->$/;
const fence = /^(\s*)```(ts|typescript)\s*$/;

/** @typedef {{ file: string, line: number, code: string }} Snippet  line: the 1-based line of the code's first line. */

/** ```ts blocks of a Markdown file. @returns {{ snippets: Snippet[], skipped: Snippet[] }} */
function fromMarkdown(file) {
  const lines = readFileSync(file, 'utf8').split('\n');
  const snippets = [];
  const skipped = [];
  for (let i = 0; i < lines.length; i++) {
    const open = fence.exec(lines[i]);
    if (!open) continue;
    const end = lines.findIndex((line, j) => j > i && line.trim() === '```');
    if (end === -1) throw new Error(`${relative(root, file)}:${i + 1}: a code block that never ends`);
    const indent = open[1].length;
    const code = lines
      .slice(i + 1, end)
      .map((line) => line.slice(Math.min(indent, line.length - line.trimStart().length)))
      .join('\n');
    let before = i - 1;
    while (before >= 0 && lines[before].trim() === '') before--;
    const marker = before >= 0 ? lines[before].trim() : '';
    const snippet = { file, line: i + 2, code, marker };
    (skipMarker.test(marker) ? skipped : snippets).push(snippet);
    i = end;
  }
  return { snippets, skipped };
}

/** ```ts blocks inside the doc comments of a TypeScript file. @returns {{ snippets: Snippet[], skipped: Snippet[] }} */
function fromTsDoc(file) {
  const lines = readFileSync(file, 'utf8').split('\n');
  const snippets = [];
  const skipped = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*\*\s*```(ts|typescript)\s*$/.test(lines[i])) continue;
    const end = lines.findIndex((line, j) => j > i && /^\s*\*\s*```\s*$/.test(line));
    if (end === -1) throw new Error(`${relative(root, file)}:${i + 1}: a code block that never ends`);
    const code = lines
      .slice(i + 1, end)
      .map((line) => line.replace(/^\s*\*( |$)/, ''))
      .join('\n');
    let before = i - 1;
    while (before >= 0 && /^\s*\*\s*$/.test(lines[before])) before--;
    const marker = before >= 0 ? lines[before].replace(/^\s*\*\s*/, '').trim() : '';
    (skipMarker.test(marker) ? skipped : snippets).push({ file, line: i + 2, code, marker });
    i = end;
  }
  return { snippets, skipped };
}

function walk(dir, keep) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return walk(path, keep);
    return keep(path) ? [path] : [];
  });
}

const markdown = [
  join(root, 'README.md'),
  ...walk(join(root, 'docs'), (path) => path.endsWith('.md') && !relative(root, path).startsWith('docs/api/')),
];
const snippets = [];
const skipped = [];
for (const file of markdown) {
  const found = fromMarkdown(file);
  snippets.push(...found.snippets);
  skipped.push(...found.skipped);
}
for (const file of walk(join(root, 'lib'), (path) => path.endsWith('.ts'))) {
  const found = fromTsDoc(file);
  snippets.push(...found.snippets);
  skipped.push(...found.skipped);
}

// The project's compiler options (paths to lib/, ES2022 with DOM), minus the test-only ambient
// types, and checked as most users compile: `strict`, without noUncheckedIndexedAccess.
const config = ts.getParsedCommandLineOfConfigFile(
  join(root, 'tsconfig.json'),
  {},
  { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
);
const options = {
  ...config.options,
  types: ['node'],
  noEmit: true,
  noUncheckedIndexedAccess: false,
  // As Angular apps compile, for the Angular entry's examples (`@Injectable()`).
  experimentalDecorators: true,
  noUnusedLocals: false,
  noUnusedParameters: false,
};

// Virtual files beside the sources: scripts/snippets/<source>_<line>.ts, one module each.
// `export {}` makes every snippet a module, whether or not it imports anything.
function typeCheck(group, roots) {
  const virtual = new Map();
  const bySnippet = new Map();
  for (const snippet of group) {
    const name = `${relative(root, snippet.file).replace(/[/.]/g, '_')}_${snippet.line}.ts`;
    const path = join(root, 'scripts', 'snippets', name);
    virtual.set(path, `${snippet.code}\nexport {};\n`);
    bySnippet.set(path, snippet);
  }
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (path) => virtual.has(path) || fileExists.call(host, path);
  host.readFile = (path) => virtual.get(path) ?? readFile.call(host, path);
  host.getSourceFile = (path, language, onError, create) =>
    virtual.has(path)
      ? ts.createSourceFile(path, virtual.get(path), language, true)
      : getSourceFile.call(host, path, language, onError, create);

  const program = ts.createProgram({ rootNames: [...roots, ...virtual.keys()], options, host });
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n  ');
    if (!diagnostic.file) return `TS${diagnostic.code}: ${message}`;
    const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
    const snippet = bySnippet.get(diagnostic.file.fileName);
    // Columns count from the snippet's own text (after a TSDoc block's ` * `).
    if (snippet)
      return `${relative(root, snippet.file)}:${snippet.line + line}:${character + 1} TS${diagnostic.code}: ${message}`;
    return `${relative(root, diagnostic.file.fileName)}:${line + 1}:${character + 1} TS${diagnostic.code}: ${message}`;
  });
}

// A snippet without imports is a fragment: it also sees scripts/snippets/fragments.d.ts.
const isComplete = (snippet) => /^\s*import\s/m.test(snippet.code);
const problems = [
  ...typeCheck(snippets.filter(isComplete), [prelude]),
  ...typeCheck(
    snippets.filter((snippet) => !isComplete(snippet)),
    [prelude, join(root, 'scripts', 'snippets', 'fragments.d.ts')],
  ),
].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));

const links = readmeLinkProblems(root);

const sources = new Set(snippets.map((snippet) => snippet.file)).size;
for (const snippet of skipped)
  console.log(`skipped ${relative(root, snippet.file)}:${snippet.line - 1}  ${snippet.marker}`);
if (links.problems.length > 0) {
  console.error(links.problems.join('\n'));
  console.error(`\n${links.problems.length} problem(s) in the links of README.md.\n`);
}
if (problems.length > 0) {
  console.error(problems.join('\n'));
  console.error(`\n${problems.length} problem(s) in the code snippets.`);
}
if (problems.length > 0 || links.problems.length > 0) process.exit(1);
console.log(`${snippets.length} snippets from ${sources} files type-check; ${skipped.length} skipped.`);
console.log(`README.md: ${links.count} links, all absolute and resolving.`);
