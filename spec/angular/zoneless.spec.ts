/** @jest-environment jsdom */
// Zoneless change detection: no zone.js is loaded; the async pipe and signals schedule the
// view's update when a value arrives from the peer.
import './test-bed';
import { provideZonelessChangeDetection } from '@angular/core';
import { componentSpecs } from './component-specs';

describe('zoneless change detection', () => {
  it('runs without zone.js', () => {
    expect((globalThis as { Zone?: unknown }).Zone).toBeUndefined();
  });

  componentSpecs(provideZonelessChangeDetection());
});
