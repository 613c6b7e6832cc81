// Stryker's jest loads `rxjs` as its one-file bundle (stryker.config.mjs): `rxjs/testing` is that bundle's `testing`,
// so that TestScheduler and the Observables under test share one copy of RxJS.
module.exports = require('rxjs').testing;
