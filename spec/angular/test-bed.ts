// Prepares Angular's TestBed for a spec file (each file has its own module registry, so
// each imports this once). Zone specs import zone.js and zone.js/testing before it.
// Components in these specs use decorators without `experimentalDecorators`: TypeScript
// emits standard decorators, and Angular's JIT compiler accepts class decorators so.
import '@angular/compiler';
import { getTestBed } from '@angular/core/testing';
import { BrowserTestingModule, platformBrowserTesting } from '@angular/platform-browser/testing';

getTestBed().initTestEnvironment(BrowserTestingModule, platformBrowserTesting(), {
  teardown: { destroyAfterEach: true },
});
