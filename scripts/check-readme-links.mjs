#!/usr/bin/env node
// Checks every link of README.md as the npm page shows it: the package ships README.md without
// docs/ or examples/, so a relative link there leads nowhere. Every link must be absolute; a link
// into this repository (the `repository` of package.json, `/blob/main/<file>` or `/tree/main/<dir>`)
// must name a path that exists in the checkout, and a `#fragment` of a Markdown file one of its
// headings. Run by `npm run check:snippets`; also `node scripts/check-readme-links.mjs` alone.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's web address, from package.json `repository` (`git+https://….git` or a string). */
function repositoryOf(root) {
  const { repository } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const url = typeof repository === 'string' ? repository : repository?.url;
  if (typeof url !== 'string') return undefined;
  return url.replace(/^git\+/, '').replace(/\.git$/, '');
}

/** The lines of a Markdown text outside fenced code blocks (those inside are empty), inline code blanked out unless `keepCode`. */
function proseLines(text, keepCode = false) {
  const lines = text.split('\n');
  let fence;
  return lines.map((line, index) => {
    const open = /^\s*(`{3,}|~{3,})/.exec(line);
    if (fence === undefined && open) fence = open[1];
    else if (fence !== undefined && line.trim().startsWith(fence)) fence = undefined;
    else if (fence === undefined)
      return {
        line: index + 1,
        text: keepCode ? line : line.replace(/(`+)[^`]*?\1/g, (code) => ' '.repeat(code.length)),
      };
    return { line: index + 1, text: '' };
  });
}

/** Every link target of a Markdown text, with its line. Undefined references count as problems. */
function linksOf(text) {
  const lines = proseLines(text);
  const definitions = new Map();
  const links = [];
  const problems = [];
  for (const { line, text: prose } of lines) {
    const definition = /^\s{0,3}\[([^\]]+)\]:\s*<?(\S+?)>?(\s.*)?$/.exec(prose);
    if (definition) {
      definitions.set(definition[1].toLowerCase(), definition[2]);
      links.push({ line, url: definition[2] });
      continue;
    }
    for (const match of prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g))
      links.push({ line, url: match[1] });
    for (const match of prose.matchAll(/<((?:https?|mailto):[^>\s]+)>/g)) links.push({ line, url: match[1] });
    for (const match of prose.matchAll(/\b(?:href|src)\s*=\s*["']([^"']*)["']/g)) links.push({ line, url: match[1] });
  }
  // References are checked once every definition is known: `[text][label]` and `[label][]` need one.
  for (const { line, text: prose } of lines)
    for (const match of prose.matchAll(/\[([^\]]+)\]\[([^\]]*)\]/g)) {
      const label = (match[2] || match[1]).toLowerCase();
      if (!definitions.has(label)) problems.push({ line, message: `[${match[1]}][${match[2]}] has no definition` });
    }
  return { links, problems };
}

/** GitHub's anchors for the headings of a Markdown text (github-slugger's rule, duplicates numbered). */
function anchorsOf(text) {
  const anchors = new Set();
  const seen = new Map();
  for (const { text: prose } of proseLines(text, true)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(prose);
    if (!heading) continue;
    const base = heading[1]
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

/** What is wrong with one link target, or undefined. */
function checkLink(url, root, repository) {
  if (!/^(https?:|mailto:)/.test(url)) return `${url || '(empty)'} is relative: the npm page cannot follow it`;
  if (repository === undefined || !url.startsWith(repository)) return undefined;
  const rest = url.slice(repository.length);
  if (/^(\/?(#readme)?|\/issues(\/\d+)?|\/releases)$/.test(rest)) return undefined;
  const inside = /^\/(blob|tree)\/main\/([^#?]+)(#.*)?$/.exec(rest);
  if (!inside) return `${url} is not a /blob/main/ or /tree/main/ link into the repository`;
  const [, kind, path, fragment] = inside;
  const target = join(root, decodeURIComponent(path));
  if (!existsSync(target)) return `${url}: ${path} does not exist in the checkout`;
  const isDirectory = statSync(target).isDirectory();
  if (kind === 'blob' && isDirectory) return `${url}: ${path} is a folder (use /tree/main/)`;
  if (kind === 'tree' && !isDirectory) return `${url}: ${path} is a file (use /blob/main/)`;
  if (fragment !== undefined && path.endsWith('.md')) {
    const anchor = decodeURIComponent(fragment.slice(1));
    if (!anchorsOf(readFileSync(target, 'utf8')).has(anchor)) return `${url}: ${path} has no heading #${anchor}`;
  }
  return undefined;
}

/**
 * The problems of README.md's links, as `README.md:<line> <what>` lines (none when all is well).
 * @param {string} root the repository's folder
 * @returns {{ problems: string[], count: number }}
 */
export function readmeLinkProblems(root) {
  const repository = repositoryOf(root);
  const { links, problems } = linksOf(readFileSync(join(root, 'README.md'), 'utf8'));
  for (const { line, url } of links) {
    const message = checkLink(url, root, repository);
    if (message !== undefined) problems.push({ line, message });
  }
  const found = problems.sort((a, b) => a.line - b.line).map(({ line, message }) => `README.md:${line} ${message}`);
  if (repository === undefined) found.unshift('package.json: no repository, so README links cannot be checked');
  return { problems: found, count: links.length };
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const { problems, count } = readmeLinkProblems(root);
  if (problems.length > 0) {
    console.error(problems.join('\n'));
    console.error(`\n${problems.length} problem(s) in the links of README.md.`);
    process.exit(1);
  }
  console.log(`README.md: ${count} links, all absolute and resolving.`);
}
