import { createRequire } from 'node:module';
import type { batchingCalls, connect, memoryPair } from '../lib/index';
import type { redisBackplane, serve, serveHttp, webSocket } from '../lib/node/index';

/** The parts of rx-jsonrpc the adapters use. */
export interface Library {
  readonly connect: typeof connect;
  readonly memoryPair: typeof memoryPair;
  /** The value of the `batching` option of W2's batching row. */
  readonly batchingCalls: typeof batchingCalls;
  readonly webSocket: typeof webSocket;
  /** The servers of W7 and W8. */
  readonly serve: typeof serve;
  readonly serveHttp: typeof serveHttp;
  readonly redisBackplane: typeof redisBackplane;
}

/** The variable that tells client processes where the harness put its bundle of lib/. */
export const bundleVariable = 'RX_JSONRPC_BENCH_BUNDLE';

/** rx-jsonrpc as the harness bundled it, or (run outside the harness) straight from lib/ through tsx. */
export function loadLibrary(): Library {
  const load = createRequire(__filename);
  const bundle = process.env[bundleVariable];
  if (bundle !== undefined && bundle !== '') return load(bundle) as Library;
  const main = load('../lib/index') as typeof import('../lib/index');
  const node = load('../lib/node/index') as typeof import('../lib/node/index');
  return {
    connect: main.connect,
    memoryPair: main.memoryPair,
    batchingCalls: main.batchingCalls,
    webSocket: node.webSocket,
    serve: node.serve,
    serveHttp: node.serveHttp,
    redisBackplane: node.redisBackplane,
  };
}
