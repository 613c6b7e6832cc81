// Mutation testing of the protocol and peer layers and of the features: `npm run mutation` (docs/mutation.md).
// @ts-check
import { readFileSync } from 'node:fs';

// The package's entries (`rx-jsonrpc`, `rx-jsonrpc/protocol`, ...) mapped to their files as tsconfig.json's paths
// map them (jest.config.ts maps them the same way): Stryker's Jest options replace jest.config.ts's mapper whole.
// Read from the project's root, where Stryker runs, as configFile below is.
/** @type {{ compilerOptions: { paths: Record<string, string[]> } }} */
const tsconfig = JSON.parse(readFileSync('tsconfig.json', 'utf8'));
const entries = Object.fromEntries(
  Object.entries(tsconfig.compilerOptions.paths).map(([entry, [file]]) => [
    `^${entry}$`,
    `<rootDir>/${String(file).replace(/^\.\//, '')}`,
  ]),
);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
const config = {
  packageManager: 'npm',
  // Files that hold only types compile to nothing: no mutant to make there.
  mutate: [
    'lib/protocol/**/*.ts',
    'lib/peer/**/*.ts',
    'lib/features/**/*.ts',
    '!lib/protocol/messages.ts',
    '!lib/peer/api.ts',
    '!lib/peer/peer.ts',
    '!lib/peer/state.ts',
  ],
  testRunner: 'jest',
  jest: {
    projectType: 'custom',
    configFile: 'jest.config.ts',
    // Merged over jest.config.ts, one key at a time (docs/mutation.md says why each):
    config: {
      // The suites about these layers: their own specs, the specification's examples and the quirky
      // peers. Transports, Node, Angular, interop and examples suites test other layers; each loaded suite
      // costs every mutant run its load time.
      testMatch: [
        '**/spec/protocol/**/*.spec.ts',
        '**/spec/peer/**/*.spec.ts',
        '**/spec/features/**/*.spec.ts',
        '**/spec/conformance/**/*.spec.ts',
        '**/spec/e2e/quirky-peers.spec.ts',
        '**/spec/transports/memory.spec.ts',
      ],
      moduleNameMapper: {
        ...entries,
        // RxJS as its one-file bundle: each suite loads one file instead of some 400 modules,
        // which halves what a mutant run costs.
        '^rxjs$': '<rootDir>/node_modules/rxjs/dist/bundles/rxjs.umd.js',
        '^rxjs/testing$': '<rootDir>/scripts/mutation/rxjs-testing.cjs',
      },
      setupFiles: ['<rootDir>/scripts/mutation/fuzz-seed.cjs'],
      // Only the suites whose tests covered the mutant in the dry run, and a bail after the first failing test.
      // Relative: Stryker loads the environment itself, from the sandbox, before Jest replaces <rootDir>.
      testEnvironment: './scripts/mutation/environment.cjs',
      filter: '<rootDir>/scripts/mutation/test-files.cjs',
      // A mutant that leaves a call unsettled fails its test after 2.5 s rather than the suite's 10 s
      // (the slowest of these tests takes 0.7 s).
      testTimeout: 2_500,
    },
    // test-files.cjs picks the suites from coverage, finer than --findRelatedTests' import graph.
    enableFindRelatedTests: false,
  },
  coverageAnalysis: 'perTest',
  // One runner: the other core belongs to whoever shares the machine (benchmarks).
  concurrency: 1,
  // A mutant that stalls a call (a deadline never armed, a Promise never settled) should fail fast,
  // yet a loaded machine must not turn a slow pass into a false timeout.
  timeoutMS: 5_000,
  timeoutFactor: 2,
  reporters: ['html', 'clear-text', 'progress'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  // What the sandbox needs is lib/, spec/ and the configs; the rest is only copying.
  ignorePatterns: ['dist', 'coverage', 'artifacts', 'docs', 'bench', 'examples', 'reports', '*.cpuprofile'],
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.stryker-tmp',
};

export default config;
