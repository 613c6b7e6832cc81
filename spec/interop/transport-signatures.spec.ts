// The transports table of docs/transports.md against the code: each row's call form
// (`tcp({ host, port, framing } \| { path, framing })`) is read, and every argument and
// option it documents must be a parameter, or a property of a parameter, of the function
// its entry exports, as the TypeScript compiler sees the declaration.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

const root = join(__dirname, '../..');
const entries: Record<string, string> = {
  'rx-jsonrpc': join(root, 'lib/index.ts'),
  'rx-jsonrpc/node': join(root, 'lib/node/index.ts'),
};

interface Row {
  readonly call: string;
  readonly name: string;
  readonly entry: string;
  /** Each top-level argument: the option names of an object (`{ a, b }`, `{ a } | { b }`), or undefined for a plain name. */
  readonly args: readonly (readonly string[] | undefined)[];
}

/** Splits at `separator` outside brackets. */
function splitTop(text: string, separator: string): string[] {
  const parts = [''];
  let depth = 0;
  for (const char of text) {
    if ('{[('.includes(char)) depth++;
    if ('}])'.includes(char)) depth--;
    if (char === separator && depth === 0) parts.push('');
    else parts[parts.length - 1] += char;
  }
  return parts.map((part) => part.trim()).filter((part) => part !== '');
}

/** The option names of `{ a, b, ...ws options } | { c }`; spreads stand for "and more" and name nothing. */
function optionNames(arg: string): string[] {
  return splitTop(arg, '|').flatMap((object) => {
    if (!object.startsWith('{') || !object.endsWith('}')) throw new Error(`Cannot read the argument ${arg}`);
    return splitTop(object.slice(1, -1), ',').filter((option) => !option.startsWith('...'));
  });
}

function tableRows(): Row[] {
  const markdown = readFileSync(join(root, 'docs/transports.md'), 'utf8');
  const rowPattern = /^\|\s*`(\w+)\((.*)\)`\s*\|\s*`(rx-jsonrpc[^`]*)`\s*\|/;
  return markdown.split('\n').flatMap((line) => {
    const row = rowPattern.exec(line);
    if (row === null) return [];
    const [, name, rawArgs, entry] = row as unknown as [string, string, string, string];
    const args = splitTop(rawArgs.replaceAll('\\|', '|'), ',').map((arg) =>
      arg.startsWith('{') ? optionNames(arg) : undefined,
    );
    return [{ call: `${name}(${rawArgs.replaceAll('\\|', '|')})`, name, entry, args }];
  });
}

const rows = tableRows();
let checker: ts.TypeChecker;
let program: ts.Program;

beforeAll(() => {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(root, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  )!;
  program = ts.createProgram(Object.values(entries), { ...config.options, noEmit: true });
  checker = program.getTypeChecker();
}, 60_000);

/** What the row documents that the declaration does not take, in words; empty when it matches. */
function mismatches(row: Row): string[] {
  const file = program.getSourceFile(entries[row.entry]!)!;
  const exported = checker.getExportsOfModule(checker.getSymbolAtLocation(file)!).find((s) => s.name === row.name);
  if (exported === undefined) return [`${row.entry} exports no ${row.name}`];
  const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
  const signatures = checker.getTypeOfSymbol(symbol).getCallSignatures();
  if (signatures.length !== 1) return [`${row.name} has ${signatures.length} call signatures`];
  const params = signatures[0]!.getParameters();
  const problems: string[] = [];
  if (row.args.length > params.length) {
    problems.push(`${row.name}() takes ${params.length} parameter(s), the row documents ${row.args.length}`);
  }
  const required = params.filter((p) => !checker.isOptionalParameter(p.valueDeclaration as ts.ParameterDeclaration));
  if (required.length > row.args.length) {
    problems.push(`${row.name}() requires ${required.length} argument(s), the row documents ${row.args.length}`);
  }
  row.args.forEach((options, i) => {
    const param = params[i];
    if (options === undefined || param === undefined) return;
    const type = checker.getNonNullableType(checker.getTypeOfSymbol(param));
    const shapes = type.isUnion() ? type.types : [type];
    for (const option of options) {
      if (!shapes.some((shape) => checker.getPropertyOfType(shape, option) !== undefined)) {
        problems.push(`${row.name}()'s parameter ${param.name} has no option ${option}`);
      }
    }
  });
  return problems;
}

describe('the transports table of docs/transports.md', () => {
  it('lists every transport', () => {
    expect(rows.map((row) => `${row.entry} ${row.name}`)).toEqual(
      expect.arrayContaining(
        ['webSocket', 'fromWebSocket', 'http', 'messagePort', 'memoryPair']
          .map((name) => `rx-jsonrpc ${name}`)
          .concat(['webSocket', 'stream', 'spawnProcess', 'tcp', 'ipc'].map((name) => `rx-jsonrpc/node ${name}`)),
      ),
    );
  });

  it.each(rows.map((row) => [row.call, row] as const))('documents %s as the code declares it', (_call, row) => {
    expect(mismatches(row)).toEqual([]);
  });
});
