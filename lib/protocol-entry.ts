// The entry `rx-jsonrpc/protocol` (beside lib/index.ts, not inside the protocol layer): JSON-RPC 2.0 messages as data, for code that reads them
// itself (a handler of `incoming$`, a proxy, a test server). The peer needs none of it from
// you; the message types and the errors are in `rx-jsonrpc`.

export { errorMessages } from './protocol/error-codes';
export {
  isErrorObject,
  isFailure,
  isJsonRpcId,
  isJsonRpcParams,
  isNotification,
  isRequest,
  isResponse,
  isSuccess,
} from './protocol/guards';
export { classify, decodeFrame, describeInvalid, type MessageKind } from './protocol/parse';
