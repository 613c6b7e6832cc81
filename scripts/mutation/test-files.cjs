// Jest's `filter` in Stryker's jest runs (stryker.config.mjs): for the active mutant, only the test files
// whose tests covered it in the dry run. Stryker already narrows the tests by name (--testNamePattern),
// but Jest loads every suite to learn their names, and loading a suite costs more than running its tests.
// The coverage is kept in a file of the sandbox, so that a worker restarted after a timeout has it too.
const { existsSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const file = join(process.cwd(), '.mutation-test-files.json');

function read() {
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : { files: {}, static: [] };
}

/** Adds what one suite covered in the dry run: its mutants, and those reached outside any test. */
function recordCoverage(testPath, mutants, staticMutants) {
  const coverage = read();
  coverage.files[testPath] = [...mutants];
  coverage.static = [...new Set([...coverage.static, ...staticMutants])];
  writeFileSync(file, JSON.stringify(coverage));
}

let byMutant; // mutant id → the test files that cover it; undefined for a mutant that needs every file

function load() {
  const coverage = read();
  byMutant = new Map();
  for (const [testPath, mutants] of Object.entries(coverage.files)) {
    for (const id of mutants) byMutant.set(id, [...(byMutant.get(id) ?? []), testPath]);
  }
  for (const id of coverage.static) byMutant.delete(id); // reached while loading: Stryker runs all tests
}

async function filter(testPaths) {
  const mutant = process.env.__STRYKER_ACTIVE_MUTANT__;
  if (mutant === undefined) return { filtered: testPaths };
  if (byMutant === undefined) load();
  const files = byMutant.get(mutant);
  return { filtered: files === undefined ? testPaths : testPaths.filter((path) => files.includes(path)) };
}

module.exports = filter;
module.exports.recordCoverage = recordCoverage;
