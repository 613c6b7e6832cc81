import { hasPlainPrototype } from '../protocol/guards';
import type { JsonRpcId, JsonRpcParams } from '../protocol/messages';

/**
 * How a protocol built on JSON-RPC says "stop" and "still working": plain data, so that a
 * preset for another protocol takes a few lines. See {@link lsp}, {@link mcp}, {@link generic}.
 */
export interface Dialect {
  /** A name for messages. */
  readonly name: string;
  /** How a call is cancelled; undefined when the protocol has no word for it. */
  readonly cancel?: {
    /** The cancel notification's method. */
    readonly method: string;
    /** The cancel notification's params for a call's id. */
    readonly params: (id: JsonRpcId) => JsonRpcParams;
    /** Reads the cancelled call's id from a received cancel notification. */
    readonly idOf: (params: unknown) => unknown;
    /**
     * What the answering side sends for a call its caller cancelled: an error with this code
     * and message (LSP), or nothing (MCP).
     */
    readonly answer?: {
      /** The error code, e.g. -32800 (LSP's RequestCancelled). */
      readonly code: number;
      /** The error message. */
      readonly message: string;
    };
  };
  /** How progress is reported; undefined when the protocol has no word for it. */
  readonly progress?: {
    /** The progress notification's method. */
    readonly method: string;
    /** The call's params carrying `token`, made from the params the caller gave. */
    readonly withToken: (params: JsonRpcParams | undefined, token: string) => JsonRpcParams;
    /** Reads the token a received call carries, if any. */
    readonly tokenOf: (params: unknown) => unknown;
    /** The progress notification's params for `value`. */
    readonly notification: (token: unknown, value: unknown) => JsonRpcParams;
    /** Reads a received progress notification: its token and value. */
    readonly read: (params: unknown) =>
      | {
          /** The token of the call the report is for. */
          readonly token: unknown;
          /** The report. */
          readonly value: unknown;
        }
      | undefined;
  };
}

type Fields = { readonly [key: string]: unknown };
const field = (params: unknown, name: string): unknown => (hasPlainPrototype(params) ? params[name] : undefined);
const asObject = (params: JsonRpcParams | undefined, preset: string): Fields => {
  if (params === undefined) return {};
  if (!hasPlainPrototype(params))
    throw new TypeError(`${preset} progress needs named (object) params to carry its token`);
  return params;
};

/**
 * The Language Server Protocol: `$/cancelRequest` with `{ id }`, answered by the server
 * with error -32800 (RequestCancelled); `$/progress` with `{ token, value }`, the token
 * travelling in the call's params as `workDoneToken`.
 */
export function lsp(): Dialect {
  return {
    name: 'lsp',
    cancel: {
      method: '$/cancelRequest',
      params: (id) => ({ id }),
      idOf: (params) => field(params, 'id'),
      answer: { code: -32800, message: 'Request cancelled' },
    },
    progress: {
      method: '$/progress',
      withToken: (params, token) => ({ ...asObject(params, 'lsp'), workDoneToken: token }),
      tokenOf: (params) => field(params, 'workDoneToken'),
      notification: (token, value) => ({ token, value }),
      read: (params) => (hasPlainPrototype(params) ? { token: params.token, value: params.value } : undefined),
    },
  };
}

/**
 * The Model Context Protocol: `notifications/cancelled` with `{ requestId, reason }`, after
 * which no answer is sent; `notifications/progress` with `{ progressToken, progress, total?,
 * message? }`, the token travelling in the call's params as `_meta.progressToken`. Progress
 * values are the notification's params without the token.
 */
export function mcp(): Dialect {
  return {
    name: 'mcp',
    cancel: {
      method: 'notifications/cancelled',
      params: (requestId) => ({ requestId, reason: 'cancelled by the caller' }),
      idOf: (params) => field(params, 'requestId'),
    },
    progress: {
      method: 'notifications/progress',
      withToken: (params, token) => {
        const given = asObject(params, 'mcp');
        const meta = hasPlainPrototype(given._meta) ? given._meta : {};
        return { ...given, _meta: { ...meta, progressToken: token } };
      },
      tokenOf: (params) => field(field(params, '_meta'), 'progressToken'),
      notification: (progressToken, value) => ({
        ...(hasPlainPrototype(value) ? value : { progress: value }),
        progressToken,
      }),
      read: (params) => {
        if (!hasPlainPrototype(params)) return undefined;
        const { progressToken, ...value } = params;
        return { token: progressToken, value };
      },
    },
  };
}

/**
 * rx-jsonrpc's own convention, for two rx-jsonrpc peers: `$/cancelRequest` with `{ id }`
 * (the caller expects nothing after it), and `$/progress` with `{ token, value }`, the token
 * travelling in object params as `progressToken`. A peer without a `dialect` uses its
 * progress and sends no cancel notification (unless the `cancel` option asks).
 */
export function generic(): Dialect {
  return {
    name: 'generic',
    cancel: { method: '$/cancelRequest', params: (id) => ({ id }), idOf: (params) => field(params, 'id') },
    progress: {
      method: '$/progress',
      withToken: (params, token) => ({ ...asObject(params, 'generic'), progressToken: token }),
      tokenOf: (params) => field(params, 'progressToken'),
      notification: (token, value) => ({ token, value }),
      read: (params) => (hasPlainPrototype(params) ? { token: params.token, value: params.value } : undefined),
    },
  };
}

let quiet: Dialect | undefined;

/** `generic()` without its cancel notification: the peers' default, one frozen object shared by all. */
export function quietGeneric(): Dialect {
  if (quiet === undefined) {
    const { progress } = generic();
    quiet = Object.freeze({ name: 'generic', cancel: undefined, progress: progress && Object.freeze(progress) });
  }
  return quiet;
}
