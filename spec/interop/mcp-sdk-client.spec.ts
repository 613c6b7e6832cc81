// Interoperability, the other way round from mcp-http.spec.ts: the MCP SDK's own client (Client over
// StreamableHTTPClientTransport) against serve({ sessions }), with a tiny MCP server written by hand with
// peer.handle(). Real HTTP on 127.0.0.1: the session id, tools, progress on a call's event stream, calls of
// the server's answered by the SDK's handlers, a log on the standing GET stream, cancel, and DELETE.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  ElicitRequestSchema,
  ListRootsRequestSchema,
  LoggingMessageNotificationSchema,
  McpError,
  type LoggingMessageNotification,
  type Progress,
} from '@modelcontextprotocol/sdk/types.js';
import { filter, firstValueFrom, take, timeout, timer } from 'rxjs';
import { JsonRpcError, mcp, type HandlerContext, type Peer } from 'rx-jsonrpc';
import { serve, type JsonRpcServer, type SetupPeer } from 'rx-jsonrpc/node';

/** One HTTP request of an SDK client, as its fetch saw it. */
interface Exchange {
  readonly method: string;
  /** The Mcp-Session-Id the request sent; null for none. */
  readonly session: string | null;
  /** The JSON-RPC methods of a POST's body ('answer' for an answer). */
  readonly rpc: string | null;
  status?: number;
}

/** An SDK client over the Streamable HTTP transport, with the HTTP requests and errors of its transport. */
interface SdkClient {
  readonly client: Client;
  readonly transport: StreamableHTTPClientTransport;
  readonly exchanges: Exchange[];
  readonly errors: Error[];
}

interface ToolCall {
  readonly name: string;
  readonly arguments?: Record<string, unknown>;
  readonly _meta?: { readonly progressToken?: string | number };
}

const tools = [
  { name: 'echo', description: 'Says its message back', inputSchema: object({ message: { type: 'string' } }) },
  { name: 'slow', description: 'Reports progress, then answers', inputSchema: object({ steps: { type: 'number' } }) },
  { name: 'ask-name', description: 'Asks the user a name (elicitation)', inputSchema: object({}) },
  { name: 'list-roots', description: 'Asks the client its roots', inputSchema: object({}) },
  { name: 'wait', description: 'Runs until cancelled', inputSchema: object({}) },
];

function object(properties: Record<string, unknown>) {
  return { type: 'object' as const, properties };
}

const text = (value: string) => ({ content: [{ type: 'text', text: value }] });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once `check` holds, looked at every 5 ms for `ms` at most. */
const until = (check: () => boolean, ms = 5_000) =>
  firstValueFrom(timer(0, 5).pipe(filter(check), take(1), timeout(ms)));

/** `promise`, or a rejection naming `what` after `ms`. */
function within<T>(promise: Promise<T>, what: string, ms = 5_000): Promise<T> {
  let clock: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    clock = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(clock));
}

let server: JsonRpcServer;
let url: URL;
/** Each session's peer, by the clientInfo.name its initialize gave. */
const sessionOf = new Map<string, Peer>();
const initialized = new Set<Peer>();
/** The `wait` tool's calls: a promise of its signal's abort, made when the call starts. */
const waits: { readonly started: number; readonly aborted: Promise<AbortSignal> }[] = [];
const clients: SdkClient[] = [];

/** The hand-written MCP server: what one session's peer serves. */
const setup: SetupPeer = (peer) => {
  peer.handle('initialize', (params: { protocolVersion: string; clientInfo: { name: string } }) => {
    sessionOf.set(params.clientInfo.name, peer);
    return {
      protocolVersion: params.protocolVersion,
      capabilities: { tools: {}, logging: {} },
      serverInfo: { name: 'rx-jsonrpc-by-hand', version: '0.1.0' },
    };
  });
  peer.handle('notifications/initialized', () => void initialized.add(peer));
  peer.handle('logging/setLevel', ({ level }: { level: string }, { session }) => {
    session.level = level;
    return {};
  });
  peer.handle('tools/list', () => ({ tools }));
  peer.handle('tools/call', (params: ToolCall, context) => callTool(params, context));
};

async function callTool({ name, arguments: args = {}, _meta }: ToolCall, context: HandlerContext) {
  switch (name) {
    case 'echo':
      return text(String(args.message));
    case 'slow': {
      const steps = Number(args.steps);
      for (let step = 1; step <= steps; step++) {
        // Goes out on this call's POST event stream, before the answer.
        if (_meta?.progressToken !== undefined) {
          context.peer.notify('notifications/progress', {
            progressToken: _meta.progressToken,
            progress: step,
            total: steps,
            message: `step ${step}`,
          });
        }
        await sleep(10);
      }
      return text(`done in ${steps} steps`);
    }
    case 'ask-name': {
      const answer = await context.peer.request<{ action: string; content?: { name?: string } }>('elicitation/create', {
        message: 'Who is there?',
        requestedSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
      });
      return text(`${answer.action}: ${answer.content?.name ?? '-'}`);
    }
    case 'list-roots': {
      const { roots } = await context.peer.request<{ roots: { uri: string }[] }>('roots/list');
      return text(roots.map((root) => root.uri).join('\n'));
    }
    case 'wait': {
      const signal = context.signal;
      const aborted = new Promise<AbortSignal>((resolve) => signal.addEventListener('abort', () => resolve(signal)));
      waits.push({ started: Date.now(), aborted });
      // Bounded: a cancel that never comes ends the call after 5 s.
      await within(aborted, 'the cancel').catch(() => undefined);
      return text(signal.aborted ? 'aborted' : 'waited');
    }
    default:
      throw new JsonRpcError(-32602, `Unknown tool: ${name}`);
  }
}

beforeAll(async () => {
  server = await serve(
    { port: 0, host: '127.0.0.1', sessions: {}, peer: { dialect: mcp(), timeout: 5_000, handlerTimeout: 10_000 } },
    setup,
  );
  url = new URL(server.url!.replace('ws:', 'http:'));
});

afterAll(async () => {
  for (const { client } of clients) await client.close();
  await server.close({ drain: 0 });
});

/** An SDK client, connected (initialize, notifications/initialized), that answers elicitation and roots. */
async function sdkClient(name: string): Promise<SdkClient> {
  const exchanges: Exchange[] = [];
  const errors: Error[] = [];
  const seeing: FetchLike = async (input, init) => {
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
    const rpc =
      body === undefined
        ? null
        : [body]
            .flat()
            .map((message) => (message as { method?: string }).method ?? 'answer')
            .join(',');
    const exchange: Exchange = {
      method: init?.method ?? 'GET',
      session: new Headers(init?.headers).get('mcp-session-id'),
      rpc,
    };
    exchanges.push(exchange);
    const response = await fetch(input, init);
    exchange.status = response.status;
    return response;
  };
  const transport = new StreamableHTTPClientTransport(url, {
    fetch: seeing,
    // The standing stream is not reopened once the session has ended: the test is over by then.
    reconnectionOptions: {
      maxRetries: 0,
      initialReconnectionDelay: 1_000,
      maxReconnectionDelay: 1_000,
      reconnectionDelayGrowFactor: 1,
    },
  });
  transport.onerror = (error) => errors.push(error);
  const client = new Client({ name, version: '0.1.0' }, { capabilities: { elicitation: {}, roots: {} } });
  client.setRequestHandler(ElicitRequestSchema, () => ({ action: 'accept', content: { name: 'Ada' } }));
  client.setRequestHandler(ListRootsRequestSchema, () => ({
    roots: [{ uri: 'file:///tmp/rx-jsonrpc', name: 'scratch' }],
  }));
  const made = { client, transport, exchanges, errors };
  clients.push(made);
  await within(client.connect(transport), `${name} connecting`);
  return made;
}

describe('the MCP SDK client against serve({ sessions })', () => {
  let sdk: SdkClient;
  beforeAll(async () => {
    sdk = await sdkClient('sdk-main');
  });

  it('initializes, keeps the session id the server gave, and sends it on every later request', async () => {
    const { client, transport, exchanges } = sdk;
    expect(client.getServerVersion()).toEqual({ name: 'rx-jsonrpc-by-hand', version: '0.1.0' });
    expect(client.getServerCapabilities()).toEqual({ tools: {}, logging: {} });
    expect(transport.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    await until(() => initialized.has(sessionOf.get('sdk-main')!));
    await client.listTools();
    expect(exchanges[0]).toMatchObject({ method: 'POST', session: null, rpc: 'initialize', status: 200 });
    expect(exchanges[1]).toMatchObject({ method: 'POST', rpc: 'notifications/initialized', status: 202 });
    const later = exchanges.slice(1);
    expect(later.length).toBeGreaterThan(2);
    expect(new Set(later.map((exchange) => exchange.session))).toEqual(new Set([transport.sessionId]));
    expect(server.peers.has(sessionOf.get('sdk-main')!)).toBe(true);
  });

  it('lists the tools and calls echo', async () => {
    const { tools: listed } = await sdk.client.listTools();
    expect(listed.map((tool) => tool.name)).toEqual(['echo', 'slow', 'ask-name', 'list-roots', 'wait']);
    const result = await sdk.client.callTool({ name: 'echo', arguments: { message: 'hé 😀' } });
    expect(result.content).toEqual([{ type: 'text', text: 'hé 😀' }]);
  });

  it('gets a tool error as the SDK’s McpError with the code and message sent', async () => {
    const failed = sdk.client.callTool({ name: 'no-such-tool', arguments: {} });
    await expect(failed).rejects.toBeInstanceOf(McpError);
    await expect(failed).rejects.toMatchObject({
      code: -32602,
      message: 'MCP error -32602: Unknown tool: no-such-tool',
    });
  });

  it('hands the progress a tool sends on its call’s event stream to onprogress, before the result', async () => {
    const reports: Progress[] = [];
    const result = await sdk.client.callTool({ name: 'slow', arguments: { steps: 3 } }, undefined, {
      onprogress: (progress) => reports.push(progress),
    });
    expect(reports).toEqual([
      { progress: 1, total: 3, message: 'step 1' },
      { progress: 2, total: 3, message: 'step 2' },
      { progress: 3, total: 3, message: 'step 3' },
    ]);
    expect(result.content).toEqual([{ type: 'text', text: 'done in 3 steps' }]);
  });

  it('answers elicitation/create, a call of the tool’s on the event stream, with its request handler', async () => {
    const result = await sdk.client.callTool({ name: 'ask-name', arguments: {} });
    expect(result.content).toEqual([{ type: 'text', text: 'accept: Ada' }]);
    // The answer went back in a POST of its own, accepted with 202 (which may reach the client after the result).
    const answer = sdk.exchanges.filter((exchange) => exchange.rpc === 'answer').at(-1);
    await until(() => answer?.status !== undefined);
    expect(answer).toMatchObject({ method: 'POST', session: sdk.transport.sessionId, status: 202 });
  });

  it('answers roots/list with its request handler', async () => {
    const result = await sdk.client.callTool({ name: 'list-roots', arguments: {} });
    expect(result.content).toEqual([{ type: 'text', text: 'file:///tmp/rx-jsonrpc' }]);
  });

  it('sets the log level, then receives a log notification of the session’s on the standing GET stream', async () => {
    const { client, exchanges, transport } = sdk;
    // The SDK opens the standing stream once notifications/initialized is accepted.
    await until(() => exchanges.some((exchange) => exchange.method === 'GET' && exchange.status === 200));
    expect(exchanges.find((exchange) => exchange.method === 'GET')).toMatchObject({ session: transport.sessionId });
    const logged = new Promise<LoggingMessageNotification['params']>((resolve) =>
      client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => resolve(notification.params)),
    );
    await client.setLoggingLevel('notice');
    // No call runs: the notification goes on the standing stream.
    const peer = sessionOf.get('sdk-main')!;
    peer.notify('notifications/message', { level: peer.session.level, logger: 'by-hand', data: 'hello' });
    await expect(within(logged, 'the log')).resolves.toEqual({ level: 'notice', logger: 'by-hand', data: 'hello' });
  });

  it('cancels a tool call through its AbortSignal: notifications/cancelled aborts the handler’s signal', async () => {
    const controller = new AbortController();
    const before = waits.length;
    const call = sdk.client.callTool({ name: 'wait', arguments: {} }, undefined, { signal: controller.signal });
    await until(() => waits.length > before);
    controller.abort(new Error('the user gave up'));
    await expect(call).rejects.toMatchObject({ message: expect.stringContaining('the user gave up') });
    const signal = await within(waits[before]!.aborted, 'the handler’s abort');
    expect(signal.aborted).toBe(true);
    expect(Date.now() - waits[before]!.started).toBeLessThan(4_000);
    const cancels = sdk.exchanges.filter((exchange) => exchange.rpc === 'notifications/cancelled');
    expect(cancels).toHaveLength(1);
    await until(() => cancels[0]!.status !== undefined);
    expect(cancels[0]).toMatchObject({ method: 'POST', session: sdk.transport.sessionId, status: 202 });
    // The session still answers.
    await expect(sdk.client.callTool({ name: 'echo', arguments: { message: 'still here' } })).resolves.toBeDefined();
  });

  it('ends the session with terminateSession(): DELETE, then the peer leaves server.peers', async () => {
    const other = await sdkClient('sdk-ending');
    const peer = sessionOf.get('sdk-ending')!;
    const sid = other.transport.sessionId;
    expect(server.peers.has(peer)).toBe(true);
    const size = server.peers.size;
    await within(other.transport.terminateSession(), 'terminateSession()');
    expect(other.exchanges.at(-1)).toMatchObject({ method: 'DELETE', session: sid, status: 204 });
    expect(other.transport.sessionId).toBeUndefined();
    await until(() => !server.peers.has(peer));
    expect(server.peers.size).toBe(size - 1);
    expect(server.peers.has(sessionOf.get('sdk-main')!)).toBe(true);
  });

  it('leaves no transport error behind on the client that kept its session', () => {
    expect(sdk.errors).toEqual([]);
  });
});
