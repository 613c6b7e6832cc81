/** @jest-environment jsdom */
// Change detection with zone.js, Angular's classic mode.
import 'zone.js';
import 'zone.js/testing';
import './test-bed';
import { inject, NgZone, provideZoneChangeDetection } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { map, Observable } from 'rxjs';
import type { Frame, Transport } from 'rx-jsonrpc';
import { JSON_RPC, JsonRpcTestingController, provideJsonRpc, provideJsonRpcTesting } from 'rx-jsonrpc/angular';
import { componentSpecs } from './component-specs';
import { closeServers, memoryServer } from './memory-server';

/**
 * The memory link as a WebSocket is under zone.js: frames arrive in Angular's zone, where the
 * peer opened the link (zone.js runs a socket's callbacks in the zone they were set in).
 * The bare memory link delivers in whatever zone sent the frame: the test's, outside Angular's.
 */
const likeASocket = (transport: Transport) => (): Transport => {
  const zone = inject(NgZone);
  return {
    connect: () =>
      transport.connect().pipe(
        map((connection) => ({
          ...connection,
          frames$: new Observable<Frame>((subscriber) =>
            connection.frames$.subscribe({
              next: (frame) => zone.run(() => subscriber.next(frame)),
              complete: () => subscriber.complete(),
            }),
          ),
        })),
      ),
  };
};

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

  it("delivers what the testing controller sends in Angular's zone, as a socket's messages are", () => {
    TestBed.configureTestingModule({
      providers: [
        provideZoneChangeDetection(),
        provideJsonRpc({ transport: memoryServer().transport }),
        provideJsonRpcTesting(),
      ],
    });
    const rpc = TestBed.inject(JSON_RPC);
    const controller = TestBed.inject(JsonRpcTestingController);
    const zones: string[] = [];
    rpc.notifications$('news').subscribe(() => zones.push(`news ${NgZone.isInAngularZone()}`));
    rpc.request$('a').subscribe(() => zones.push(`answer ${NgZone.isInAngularZone()}`));
    controller.notify('news');
    controller.expectOne('a').flush(1);
    expect(zones).toEqual(['news true', 'answer true']);
    controller.verify();
  });

  componentSpecs(provideZoneChangeDetection(), likeASocket);
});
