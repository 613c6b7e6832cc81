import { JSONRPCClient, JSONRPCServer, type JSONRPCResponse } from 'json-rpc-2.0';
import { lastValueFrom } from 'rxjs';
import type { MemoryPairOptions, PeerOptions } from '../../lib/index';
import { loadLibrary } from '../library';
import type { BenchClient } from './adapter';

/** A client and its server in one process, with no socket (W6). */
export interface InProcessAdapter {
  readonly key: string;
  readonly name: string;
  open(): Promise<BenchClient>;
}

const sum = (params: unknown): number => (params as number[]).reduce((total, value) => total + value, 0);
const noNotifications = () => () => undefined;

/** json-rpc-2.0's client handing its request objects straight to its server, and back. */
export const jsonRpc2Direct: InProcessAdapter = {
  key: 'json-rpc-2.0-direct',
  name: 'json-rpc-2.0 client → server (objects)',
  open: async () => {
    const server = new JSONRPCServer();
    server.addMethod('sum', sum);
    const client: JSONRPCClient = new JSONRPCClient((request) =>
      server.receive(request).then((response) => {
        if (response !== null) client.receive(response);
      }),
    );
    return {
      request: (method, params) => Promise.resolve(client.request(method, params as never)),
      onNotification: noNotifications,
      close: async () => client.rejectAllPendingRequests('closed'),
    };
  },
};

/**
 * The JSON work of a round trip and nothing else: the request and its answer each written
 * and read once as JSON text, the method run in between. What a library adds to this is its
 * own work per call, both sides together.
 */
export const jsonBaseline: InProcessAdapter = {
  key: 'json-baseline',
  name: 'JSON.stringify + JSON.parse of the request and the answer (baseline)',
  open: async () => {
    let id = 0;
    return {
      request: (method, params) => {
        const request = JSON.parse(JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params })) as {
          id: number;
          params: unknown;
        };
        const answer = JSON.parse(JSON.stringify({ jsonrpc: '2.0', id: request.id, result: sum(request.params) })) as {
          result: unknown;
        };
        return Promise.resolve(answer.result);
      },
      onNotification: noNotifications,
      close: async () => undefined,
    };
  },
};

/** The same, but through JSON text both ways, as the memory pair does. */
export const jsonRpc2Json: InProcessAdapter = {
  key: 'json-rpc-2.0-json',
  name: 'json-rpc-2.0 client → server (JSON text)',
  open: async () => {
    const server = new JSONRPCServer();
    server.addMethod('sum', sum);
    const client: JSONRPCClient = new JSONRPCClient((request) =>
      server.receiveJSON(JSON.stringify(request)).then((response) => {
        if (response !== null) client.receive(JSON.parse(JSON.stringify(response)) as JSONRPCResponse);
      }),
    );
    return {
      request: (method, params) => Promise.resolve(client.request(method, params as never)),
      onNotification: noNotifications,
      close: async () => client.rejectAllPendingRequests('closed'),
    };
  },
};

function rxMemory(
  key: string,
  name: string,
  options: PeerOptions,
  through: 'request' | 'request$',
  pair: MemoryPairOptions = {},
): InProcessAdapter {
  return {
    key,
    name,
    open: async () => {
      const { connect, memoryPair } = loadLibrary();
      const link = memoryPair(pair);
      const server = connect(link.server);
      server.handle('sum', sum);
      const client = connect(link.client, options);
      return {
        request:
          through === 'request'
            ? (method, params) => client.request(method, params as never)
            : (method, params) => lastValueFrom(client.request$(method, params as never)),
        onNotification: noNotifications,
        close: async () => {
          await client.close();
          await server.close();
        },
      };
    },
  };
}

export const rxMemoryRequest = rxMemory('rx-memory', 'rx-jsonrpc request() over memoryPair()', {}, 'request');
export const rxMemoryRequest$ = rxMemory('rx-memory$', 'rx-jsonrpc request$() over memoryPair()', {}, 'request$');
export const rxMemoryNoTimeout = rxMemory(
  'rx-memory-no-timeout',
  'rx-jsonrpc request(), timeout: 0, over memoryPair()',
  { timeout: 0 },
  'request',
);
/** The same pair handing message objects over, with no JSON text either way, as json-rpc-2.0's direct row does. */
export const rxMemoryObjects = rxMemory(
  'rx-memory-objects',
  'rx-jsonrpc request() over memoryPair({ serialize: false })',
  {},
  'request',
  { serialize: false },
);
