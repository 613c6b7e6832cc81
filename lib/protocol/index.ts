// The entry `rx-jsonrpc/protocol`: JSON-RPC 2.0 messages as data, for code that reads them
// itself (a handler of `incoming$`, a proxy, a test server). The peer needs none of it from
// you; the message types and the errors are in `rx-jsonrpc`.

export { errorMessages } from './error-codes';
export {
  isErrorObject,
  isFailure,
  isJsonRpcId,
  isJsonRpcParams,
  isNotification,
  isRequest,
  isResponse,
  isSuccess,
} from './guards';
export { classify, decodeFrame, describeInvalid, type MessageKind } from './parse';
