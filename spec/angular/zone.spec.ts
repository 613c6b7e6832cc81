/** @jest-environment jsdom */
// Change detection with zone.js, Angular's classic mode.
import 'zone.js';
import 'zone.js/testing';
import './test-bed';
import { NgZone, provideZoneChangeDetection } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { JSON_RPC, provideJsonRpc } from 'rx-jsonrpc/angular';
import { componentSpecs } from './component-specs';
import { closeServers, memoryServer } from './memory-server';

describe('change detection with zone.js', () => {
  afterEach(closeServers);

  it('makes the peer inside the Angular zone even when first injected outside it', () => {
    // A WebSocket binds its callbacks to the zone its handlers are set in: the one connect() runs in.
    const server = memoryServer();
    const zones: boolean[] = [];
    TestBed.configureTestingModule({
      providers: [
        provideZoneChangeDetection(),
        provideJsonRpc({
          transport: {
            connect: () => {
              zones.push(NgZone.isInAngularZone());
              return server.transport.connect();
            },
          },
        }),
      ],
    });
    TestBed.inject(NgZone).runOutsideAngular(() => TestBed.inject(JSON_RPC));
    expect(zones).toEqual([true]);
  });

  componentSpecs(provideZoneChangeDetection());
});
