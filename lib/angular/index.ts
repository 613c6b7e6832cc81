// The entry `rx-jsonrpc/angular`: providers and injection helpers for Angular (an optional peer dependency).
export { provideJsonRpc, type JsonRpcConfig } from './provide-json-rpc';
export type { JsonRpcSsr, JsonRpcSsrLink } from './server-rendering';
export { withInterceptors, type JsonRpcFeature } from './features';
export { injectJsonRpc } from './inject-json-rpc';
export { defaultConnection, JSON_RPC, jsonRpcToken, type JsonRpcToken } from './tokens';
export { jsonRpcResource, type JsonRpcResourceOptions, type JsonRpcResourceRequest } from './json-rpc-resource';

// Testing: tree-shaken from apps that do not import them.
export { provideJsonRpcTesting } from './provide-json-rpc-testing';
export { JsonRpcTestingController, type CallMatch, type TestCall } from './testing-controller';
