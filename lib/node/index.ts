// The entry `rx-jsonrpc/node`: what needs Node or the `ws` package.
export { webSocket, type NodeWebSocketOptions } from './web-socket';
