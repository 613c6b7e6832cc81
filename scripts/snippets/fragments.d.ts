// What a fragment sees besides the prelude: a snippet with no `import` line is a fragment of a
// page whose earlier snippets imported these names, so they are in scope as if imported.
// A snippet with an `import` line is a complete example and must import every library name it uses.
declare global {
  const connect: typeof import('rx-jsonrpc').connect;
  const JsonRpcError: typeof import('rx-jsonrpc').JsonRpcError;
  type JsonRpcError = import('rx-jsonrpc').JsonRpcError;
  const ErrorCodes: typeof import('rx-jsonrpc').ErrorCodes;
  const backoff: typeof import('rx-jsonrpc').backoff;
  const reconnecting: typeof import('rx-jsonrpc').reconnecting;
  const heartbeatCalls: typeof import('rx-jsonrpc').heartbeatCalls;
  const http: typeof import('rx-jsonrpc').http;
  const isRetryable: typeof import('rx-jsonrpc').isRetryable;
  const messagePort: typeof import('rx-jsonrpc').messagePort;
  type MessageTarget = import('rx-jsonrpc').MessageTarget;
  const memoryPair: typeof import('rx-jsonrpc').memoryPair;
  const positional: typeof import('rx-jsonrpc').positional;
  const subscriptionHandler: typeof import('rx-jsonrpc').subscriptionHandler;
  const subscription$: typeof import('rx-jsonrpc').subscription$;
  const requestWithProgress$: typeof import('rx-jsonrpc').requestWithProgress$;
  const batch$: typeof import('rx-jsonrpc').batch$;
  const batch: typeof import('rx-jsonrpc').batch;
  const createProxy: typeof import('rx-jsonrpc').createProxy;
  type Peer<Api extends import('rx-jsonrpc').RpcApi = import('rx-jsonrpc').UntypedApi> = import('rx-jsonrpc').Peer<Api>;

  const contentLength: typeof import('rx-jsonrpc/node').contentLength;
  const ipc: typeof import('rx-jsonrpc/node').ipc;
  const newline: typeof import('rx-jsonrpc/node').newline;
  const serve: typeof import('rx-jsonrpc/node').serve;
  const spawnProcess: typeof import('rx-jsonrpc/node').spawnProcess;
  const stream: typeof import('rx-jsonrpc/node').stream;
  const tcp: typeof import('rx-jsonrpc/node').tcp;
  /** `webSocket` of rx-jsonrpc/node: a Node page's fragments use that one. */
  const webSocket: typeof import('rx-jsonrpc/node').webSocket;
  type JsonRpcServer = import('rx-jsonrpc/node').JsonRpcServer;
  type SetupPeer = import('rx-jsonrpc/node').SetupPeer;

  const provideJsonRpc: typeof import('rx-jsonrpc/angular').provideJsonRpc;
  const injectJsonRpc: typeof import('rx-jsonrpc/angular').injectJsonRpc;
  const jsonRpcToken: typeof import('rx-jsonrpc/angular').jsonRpcToken;

  const filter: typeof import('rxjs').filter;
  const firstValueFrom: typeof import('rxjs').firstValueFrom;
  const forkJoin: typeof import('rxjs').forkJoin;
  const interval: typeof import('rxjs').interval;
  const map: typeof import('rxjs').map;
  const mergeMap: typeof import('rxjs').mergeMap;
  const of: typeof import('rxjs').of;
  const retry: typeof import('rxjs').retry;
  const tap: typeof import('rxjs').tap;
  const throwError: typeof import('rxjs').throwError;
  const timeout: typeof import('rxjs').timeout;
  const timer: typeof import('rxjs').timer;

  const fork: typeof import('node:child_process').fork;

  const inject: typeof import('@angular/core').inject;
  const Injectable: typeof import('@angular/core').Injectable;
  const provideZonelessChangeDetection: typeof import('@angular/core').provideZonelessChangeDetection;
  const bootstrapApplication: typeof import('@angular/platform-browser').bootstrapApplication;

  const WebSocketServer: typeof import('ws').WebSocketServer;
}
export {};
