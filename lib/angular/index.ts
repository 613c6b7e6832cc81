// The entry `rx-jsonrpc/angular`: providers and injection helpers for Angular (an optional peer dependency).
export { provideJsonRpc, type JsonRpcConfig } from './provide-json-rpc';
export { withInterceptors, type JsonRpcFeature } from './features';
export { injectJsonRpc } from './inject-json-rpc';
export { defaultConnection, JSON_RPC, jsonRpcToken, type JsonRpcToken } from './tokens';
export { jsonRpcResource, type JsonRpcResourceOptions, type JsonRpcResourceRequest } from './json-rpc-resource';
