// The entry `rx-jsonrpc`: safe in browsers (imports neither Node modules nor `ws`).

// Protocol
export type {
  JsonRpcBatch,
  JsonRpcErrorObject,
  JsonRpcFailure,
  JsonRpcId,
  JsonRpcMessage,
  JsonRpcNotification,
  JsonRpcParams,
  JsonRpcRequest,
  JsonRpcResponse,
  JsonRpcSuccess,
} from './protocol/messages';
export { ErrorCodes, ServerErrorCodes, type ErrorCode } from './protocol/error-codes';
export {
  ConnectionClosedError,
  HandlerError,
  isRetryable,
  JsonRpcError,
  ProtocolError,
  RequestTimeoutError,
  RpcError,
  TransportError,
  type ConnectionClosedErrorOptions,
  type RpcErrorOptions,
  type TransportErrorOptions,
} from './protocol/errors';

// Transports
export type { Connection, ConnectionInfo, Frame, FrameEnded, FrameWithCause, Transport } from './transports/transport';
export {
  defaultHighWaterMark,
  fromWebSocket,
  webSocket,
  type WebSocketConstructor,
  type WebSocketLike,
  type WebSocketOptions,
} from './transports/web-socket';
export { memoryPair, type MemoryPair, type MemoryPairOptions } from './transports/memory';
export { http, type FetchLike, type HttpOptions, type ReconnectDelay } from './transports/http';
export { messagePort, type MessagePortOptions, type MessageTarget } from './transports/message-port';

// Operators and helpers
export { backoff, backoffDefaults, type BackoffOptions } from './operators/backoff';

// Peer
export { connect } from './peer/connect';
export { generic, lsp, mcp, type Dialect } from './peer/dialect';
export type {
  AnyPeer,
  HandleFn,
  Handler,
  HandlerContext,
  HandlerTree,
  IncomingMessage,
  IncomingRequest,
  Peer,
} from './peer/peer';
export type {
  ArgsOf,
  IsUntyped,
  NotificationsFn,
  NotifyFn,
  ParamsOf,
  Part,
  Request$Fn,
  RequestFn,
  ResultOf,
  Reversed,
  RpcApi,
  UntypedApi,
} from './peer/api';
export type { PeerState } from './peer/state';
export type { TraceEvent } from './peer/trace';
export type { HandleAllOptions, HandleOptions } from './peer/options';
export { positional } from './peer/answerer/positional';
export { subscriptionHandler, type SubscriptionHandlerOptions } from './peer/answerer/subscription-handler';
export {
  peerDefaults,
  type Batching,
  type BatchingOptions,
  type BatchSchedule,
  type CancelNotification,
  type CloseOptions,
  type Codec,
  type HeartbeatCall,
  type HeartbeatCalls,
  type HeartbeatOptions,
  type InterceptedCall,
  type Interceptor,
  type InterceptorNext,
  type LenientOptions,
  type Logger,
  type PeerOptions,
  type Reconnect,
  type ReconnectHooks,
  type ReconnectOptions,
  type RequestOptions,
} from './peer/options';

// Features, built on the Peer: each costs nothing unless imported
export {
  batch,
  batch$,
  type BatchBuilder,
  type BatchMember,
  type BatchMembers,
  type BatchNotification,
  type BatchObservable,
  type BatchOptions,
  type BatchRequest,
  type BatchResults,
  type Settled,
} from './features/batch';
export { requestWithProgress$, type ProgressEvent, type ProgressOptions } from './features/progress';
export { createProxy, type ProxyEscapes, type ProxyOf, type UntypedProxy } from './features/proxy';
export { subscription$, type SubscriptionOptions } from './features/subscription';
export { logCalls, type CallLogFields, type CallOutcome } from './features/log-calls';
export { reconnectable, reconnecting } from './features/reconnecting';
export { heartbeatCalls } from './features/heartbeat-calls';
export { batchingCalls } from './features/batching-calls';
export { loggedErrorsPerMinute, logPeer, type LogPeerOptions } from './features/log-peer';
