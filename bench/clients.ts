import type { Adapter } from './adapters/adapter';
import { bareWs, bareWsCork, bareWsObservable } from './adapters/bare-ws';
import {
  jsonBaseline,
  jsonRpc2Direct,
  jsonRpc2Json,
  rxMemoryNoTimeout,
  rxMemoryObjects,
  rxMemoryRequest,
  rxMemoryRequest$,
  type InProcessAdapter,
} from './adapters/in-process';
import { jsonRpc2 } from './adapters/json-rpc-2.0';
import { naiveRxjs } from './adapters/naive-rxjs';
import { rpcWebSockets } from './adapters/rpc-websockets';
import { rxBatching, rxNoTimeout, rxRequest, rxRequest$ } from './adapters/rx-jsonrpc';
import { vscodeJsonRpc } from './adapters/vscode-jsonrpc';
import { vscodeJsonRpcInProcess } from './adapters/vscode-jsonrpc-in-process';

/** Every client over the socket, in table order; the first is the limit the others are compared to. */
export const socketAdapters: readonly Adapter[] = [
  bareWs,
  bareWsCork,
  bareWsObservable,
  jsonRpc2,
  rpcWebSockets,
  vscodeJsonRpc,
  naiveRxjs,
  rxRequest,
  rxRequest$,
  rxBatching,
  rxNoTimeout,
];

/** The W6 pairs, in table order; the first is the reference. */
export const inProcessAdapters: readonly InProcessAdapter[] = [
  jsonRpc2Direct,
  jsonBaseline,
  jsonRpc2Json,
  vscodeJsonRpcInProcess,
  rxMemoryRequest,
  rxMemoryRequest$,
  rxMemoryNoTimeout,
  rxMemoryObjects,
];

/** The peers rx-jsonrpc must beat (not the bare-ws rows, not our own rows). */
export const peerKeys: readonly string[] = [jsonRpc2.key, rpcWebSockets.key, vscodeJsonRpc.key, naiveRxjs.key];

/** Rows that only explain a cost (not targets, not peers). */
export const diagnosticKeys: readonly string[] = [
  bareWsCork.key,
  bareWsObservable.key,
  rxBatching.key,
  rxNoTimeout.key,
  rxMemoryNoTimeout.key,
];

/** The least any client that returns an Observable per call can keep (W4). */
export const observableFloorKey: string = bareWsObservable.key;

/** Rows that are rx-jsonrpc's own way of calling, the rows the targets are about. */
export const ourKeys: readonly string[] = [rxRequest.key, rxRequest$.key];

function byKey<T extends { key: string }>(list: readonly T[], keys: readonly string[]): T[] {
  return keys.map((key) => {
    const found = list.find((each) => each.key === key);
    if (found === undefined) throw new Error(`No adapter ${key}`);
    return found;
  });
}

export const socketAdaptersByKey = (keys: readonly string[]): Adapter[] => byKey(socketAdapters, keys);
export const inProcessAdaptersByKey = (keys: readonly string[]): InProcessAdapter[] => byKey(inProcessAdapters, keys);
