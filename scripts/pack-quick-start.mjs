// The README's quick start as test:pack runs it, read from README.md itself so that it cannot drift:
// the one-command server of "## Quick start" (a ```sh block), the client file it names ("save this as
// `client.mts` and run `npx tsx client.mts`"), and what "## Server notifications as a stream" adds to
// that file. A README that no longer has that shape fails here, saying which part is missing.
//
// The only change made to the README's code: the port. The server's `port: 8080` becomes `port: 0`
// (another test:pack, or anything else on 8080, cannot collide with it), and the client's
// `ws://127.0.0.1:8080` becomes the URL the server prints ("listening on ws://127.0.0.1:<port>").
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { clearTimeout, setTimeout } from 'node:timers';

/** The part of `markdown` from the heading `## <title>` to the next `## ` heading. */
function section(markdown, title) {
  const start = markdown.indexOf(`\n## ${title}\n`);
  if (start === -1) throw new Error(`README.md has no "## ${title}" section`);
  const end = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, end === -1 ? undefined : end);
}

function fenced(text, language, where) {
  const block = new RegExp('```' + language + '\\n([\\s\\S]*?)\\n```').exec(text);
  if (!block) throw new Error(`README.md: no \`\`\`${language} block in ${where}`);
  return block[1];
}

/** Replaces the one occurrence of `from` in `text`; none, or more than one, is an error. */
function replaceOnce(text, from, to, where) {
  const count = text.split(from).length - 1;
  if (count !== 1) throw new Error(`README.md: expected "${from}" once in ${where}, found it ${count} times`);
  return text.replace(from, () => to);
}

/**
 * The quick start of README.md at `readmePath`: `server` (the shell command, port 0), `file` and
 * `command` (the client's file name and the command that runs it, as the README words them) and
 * `client(url)` (that file's text, the notifications section's addition at its end, connecting to `url`).
 */
export function readQuickStart(readmePath) {
  const readme = readFileSync(readmePath, 'utf8');
  const quickStart = section(readme, 'Quick start');
  const notifications = section(readme, 'Server notifications as a stream');
  const server = replaceOnce(fenced(quickStart, 'sh', '"Quick start"'), 'port: 8080', 'port: 0', 'the server command');
  const named = /save this as `([^`]+)` and run `([^`]+)`/.exec(quickStart);
  if (!named) throw new Error('README.md: "Quick start" no longer says "save this as `<file>` and run `<command>`"');
  const [, file, command] = named;
  if (!notifications.includes(`Add to \`${file}\``)) {
    throw new Error(`README.md: "Server notifications as a stream" no longer says "Add to \`${file}\`"`);
  }
  const source = `${fenced(quickStart, 'ts', '"Quick start"')}\n\n${fenced(notifications, 'ts', '"Server notifications as a stream"')}\n`;
  const client = (url) => replaceOnce(source, 'ws://127.0.0.1:8080', url, file);
  return { server, file, command, client };
}

/**
 * Runs the shell command `command` in `cwd` in a process group of its own, so that stopping it stops
 * whatever it started (`sh -c` may or may not exec its last command). Resolves with `{ child, stop }`
 * once its output matches `ready`; `stop()` ends the group by its id.
 */
export function startServer(command, cwd, ready, ms = 15_000) {
  const child = spawn('sh', ['-c', command], { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = () => {
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid, 'SIGTERM');
  };
  let output = '';
  return new Promise((resolve, reject) => {
    const fail = (why) => {
      clearTimeout(timer);
      stop();
      reject(new Error(`The README's server ${why}:\n$ ${command}\n${output}`));
    };
    const timer = setTimeout(() => fail(`printed nothing matching ${ready} within ${ms} ms`), ms);
    const read = (chunk) => {
      output += chunk;
      const match = ready.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ match, output: () => output, stop });
      }
    };
    child.stdout.setEncoding('utf8').on('data', read);
    child.stderr.setEncoding('utf8').on('data', read);
    child.on('exit', (code, signal) => fail(`exited (${code ?? signal}) before it was ready`));
  });
}

/**
 * Runs the shell command `command` in `cwd` and resolves with its stdout once it exits with 0; rejects
 * with both outputs when it fails or is still running after `ms` (its process group is then ended).
 */
export function runBounded(command, cwd, ms = 30_000) {
  const child = spawn('sh', ['-c', command], { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => process.kill(-child.pid, 'SIGKILL'), ms);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else {
        const why = signal === 'SIGKILL' ? `still running after ${ms} ms` : `failed (${code ?? signal})`;
        reject(new Error(`${command} (in ${cwd}) ${why}:\n${stdout}${stderr}`));
      }
    });
  });
}

/**
 * What the README's client prints when it works: both sums, the error of the unknown method, three
 * ticks; and it exits by itself (the notifications section closes the peer after the third tick).
 */
export function checkQuickStartOutput(stdout, where) {
  const lines = stdout.split('\n');
  const expected = ['1 + 2 = 3', '2 + 3 = 5'];
  const missing = expected.filter((line) => !lines.includes(line));
  if (!lines.some((line) => line.includes('math.max') && line.includes('Method not found'))) {
    missing.push('the error of math.max (Method not found)');
  }
  const ticks = lines.filter((line) => /^tick \d{4}-\d\d-\d\dT/.test(line)).length;
  if (ticks !== 3) missing.push(`three ticks (got ${ticks})`);
  if (missing.length > 0) throw new Error(`${where}: the quick start did not print ${missing.join(', ')}:\n${stdout}`);
}
