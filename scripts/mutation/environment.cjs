// The test environment of Stryker's jest runs (stryker.config.mjs): Node's, plus two things that make a
// run of some 2,000 mutants on one core practical. Stryker wraps it with its own coverage recorder.
//
// 1. During the dry run, it records which test files cover which mutants (test-files.cjs reads it back
//    as Jest's `filter`), so that a mutant's run loads the few suites that reach it, not all of them.
// 2. During a mutant's run, it bails: one failing test is enough to call a mutant killed, and Jest cannot
//    stop at the first failing test, so the run's later tests are skipped. A mutant on a code path
//    usually leaves a call unsettled, and every test covering it would otherwise wait out its timeout.
const { TestEnvironment } = require('jest-environment-node');
const { recordCoverage } = require('./test-files.cjs');

// The environment module is loaded once per Stryker worker: this outlives one suite's environment.
let failedMutant;

class MutationEnvironment extends TestEnvironment {
  #testPath;
  #covered = new Set();

  constructor(config, context) {
    super(config, context);
    this.#testPath = context.testPath;
  }

  async handleTestEvent(event) {
    const mutant = process.env.__STRYKER_ACTIVE_MUTANT__;
    if (mutant === undefined) {
      // Runs before Stryker's own handler, which sets the current test at test_start and clears it after test_done.
      const context = this.global.__stryker__;
      const perTest = context?.mutantCoverage?.perTest[context.currentTestId];
      if (event.name === 'test_done' && perTest) for (const id of Object.keys(perTest)) this.#covered.add(id);
      return;
    }
    if (event.name === 'test_done' && event.test.errors.length > 0) failedMutant = mutant;
    else if (event.name === 'test_start' && failedMutant === mutant) event.test.mode = 'skip';
  }

  async teardown() {
    if (process.env.__STRYKER_ACTIVE_MUTANT__ === undefined) {
      recordCoverage(this.#testPath, this.#covered, Object.keys(this.global.__stryker__?.mutantCoverage?.static ?? {}));
    }
    await super.teardown();
  }
}

module.exports = MutationEnvironment;
