// The entry `rx-jsonrpc/node`: what needs Node or the `ws` package.
export { webSocket, type NodeWebSocketOptions } from './web-socket';
export {
  serve,
  serveDefaults,
  type Authenticate,
  type JsonRpcServer,
  type ServeOptions,
  type SetupPeer,
} from './serve';
export { serveHttp, type ServeHttpOptions } from './serve-http';
export { sessionDefaults, type HttpSessionOptions } from './http-session-options';
export { unheardPerMinute, type Logger } from './serve-errors';
export type { Backplane, BackplaneListener } from './backplane';
export {
  redisBackplane,
  type RedisBackplaneOptions,
  type RedisPublisher,
  type RedisSubscriber,
} from './backplane-redis';
export { parseCookies, type ServerConnectionInfo } from './upgrade-info';
export type { OriginPolicy } from './origin-policy';
export { keepAlive, pingDefaults, type PingOptions } from './keep-alive';
export { contentLength, newline, type ContentLengthOptions, type Framing, type NewlineOptions } from './framing';
export type { DecoderSink, FrameDecoder } from './frame-decoder';
export { stream, type FramingOption, type StreamOptions } from './stream';
export { spawnProcess, type SpawnProcessOptions } from './spawn';
export { tcp, type TcpOptions } from './tcp';
export { ipc, type IpcChannel, type IpcOptions } from './ipc';
