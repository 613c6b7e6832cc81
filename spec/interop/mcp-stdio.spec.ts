// Interoperability: rx-jsonrpc over stdio (newline framing) against the Model Context
// Protocol's reference server, @modelcontextprotocol/server-everything, run as a real
// child process: initialize, calls, its notifications, and its requests to us.
import { join } from 'node:path';
import { filter, firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { connect, mcp, type Peer, requestWithProgress$ } from 'rx-jsonrpc';
import { spawnProcess } from 'rx-jsonrpc/node';

const server = join(__dirname, '../../node_modules/@modelcontextprotocol/server-everything/dist/index.js');

interface ToolResult {
  readonly content: readonly { readonly type: string; readonly text?: string }[];
}

let peer: Peer;
/** A second session, speaking the mcp() dialect: progress tokens and cancellation its way. */
let mcpPeer: Peer;
let stderr = '';
const samplingRequests: unknown[] = [];

beforeAll(async () => {
  peer = connect(
    spawnProcess(process.execPath, [server, 'stdio'], { framing: 'newline', stderr: (chunk) => (stderr += chunk) }),
    { timeout: 15_000 },
  );
  // The server calls these on us.
  peer.handle('roots/list', () => ({ roots: [{ uri: 'file:///tmp/rx-jsonrpc', name: 'scratch' }] }));
  peer.handle('sampling/createMessage', (params: unknown) => {
    samplingRequests.push(params);
    return {
      role: 'assistant',
      content: { type: 'text', text: 'sampled by rx-jsonrpc' },
      model: 'test-model',
      stopReason: 'endTurn',
    };
  });
  peer.handle('ping', () => ({}));
  mcpPeer = connect(spawnProcess(process.execPath, [server, 'stdio'], { framing: 'newline', stderr: 'ignore' }), {
    dialect: mcp(),
    timeout: 15_000,
  });
  await mcpPeer.request('initialize', {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 'rx-jsonrpc-interop-dialect', version: '0.1.0' },
  });
  mcpPeer.notify('notifications/initialized');
}, 30_000);

afterAll(() => {
  peer.close();
  mcpPeer.close();
});

const toolText = (result: ToolResult) => result.content.map((part) => part.text ?? '').join('\n');

describe('MCP server-everything over stdio', () => {
  it('initializes and names itself', async () => {
    const result = await peer.request<{ protocolVersion: string; serverInfo: { name: string }; capabilities: object }>(
      'initialize',
      {
        protocolVersion: '2025-06-18',
        capabilities: { sampling: {}, roots: { listChanged: true } },
        clientInfo: { name: 'rx-jsonrpc-interop', version: '0.1.0' },
      },
    );
    expect(result.protocolVersion).toBe('2025-06-18');
    expect(result.serverInfo.name).toMatch(/everything/i);
    expect(result.capabilities).toHaveProperty('tools');
    peer.notify('notifications/initialized');
  }, 30_000);

  it('lists and calls its tools', async () => {
    const { tools } = await peer.request<{ tools: { name: string }[] }>('tools/list');
    const names = tools.map((tool) => tool.name);
    expect(names).toEqual(expect.arrayContaining(['echo', 'get-sum', 'trigger-sampling-request']));
    expect(
      toolText(await peer.request<ToolResult>('tools/call', { name: 'echo', arguments: { message: 'hé 😀' } })),
    ).toContain('hé 😀');
    expect(
      toolText(await peer.request<ToolResult>('tools/call', { name: 'get-sum', arguments: { a: 2, b: 3 } })),
    ).toContain('5');
  });

  it('answers an unknown method with its JSON-RPC error', async () => {
    await expect(peer.request('no/such-method')).rejects.toMatchObject({ name: 'JsonRpcError', code: -32601 });
  });

  it('sends us notifications: its log messages', async () => {
    await peer.request('logging/setLevel', { level: 'debug' });
    const message = firstValueFrom(peer.notifications$<{ level: string; data: unknown }>('notifications/message'));
    await peer.request('tools/call', { name: 'toggle-simulated-logging', arguments: {} });
    const received = await message;
    expect(typeof received.level).toBe('string');
    await peer.request('tools/call', { name: 'toggle-simulated-logging', arguments: {} });
  }, 20_000);

  it('calls our handler with sampling/createMessage and uses the answer', async () => {
    const result = await peer.request<ToolResult>('tools/call', {
      name: 'trigger-sampling-request',
      arguments: { prompt: 'say hi', maxTokens: 10 },
    });
    expect(samplingRequests).toHaveLength(1);
    expect(samplingRequests[0]).toMatchObject({ maxTokens: 10 });
    expect(toolText(result)).toContain('sampled by rx-jsonrpc');
  });

  it('sends progress notifications for a long operation', async () => {
    const progress = firstValueFrom(
      peer
        .notifications$<{ progressToken: string; progress: number }>('notifications/progress')
        .pipe(filter((p) => p.progressToken === 'rx-1')),
    );
    const done = peer.request('tools/call', {
      name: 'trigger-long-running-operation',
      arguments: { duration: 1, steps: 2 },
      _meta: { progressToken: 'rx-1' },
    });
    expect((await progress).progress).toBeGreaterThan(0);
    await done;
  }, 20_000);

  it('reports progress to requestWithProgress$ with the mcp() dialect, in order, before the result', async () => {
    const events = await lastValueFrom(
      requestWithProgress$<ToolResult, { progress: number; total?: number }>(mcpPeer, 'tools/call', {
        name: 'trigger-long-running-operation',
        arguments: { duration: 1, steps: 3 },
      }).pipe(toArray()),
    );
    const progress = events
      .filter((e) => e.kind === 'progress')
      .map((e) => (e.kind === 'progress' ? e.progress.progress : 0));
    expect(progress).toEqual([1, 2, 3]);
    expect(events.at(-1)?.kind).toBe('result');
  }, 20_000);

  it('cancels a long operation with notifications/cancelled when unsubscribed', async () => {
    const sent: string[] = [];
    mcpPeer.trace$
      .pipe(filter((e) => e.kind === 'out'))
      .subscribe((e) => sent.push(String((e as { frame: string }).frame)));
    const call = requestWithProgress$(mcpPeer, 'tools/call', {
      name: 'trigger-long-running-operation',
      arguments: { duration: 5, steps: 5 },
    }).subscribe({ error: () => undefined });
    await firstValueFrom(mcpPeer.notifications$('notifications/progress'));
    call.unsubscribe();
    expect(sent.at(-1)).toMatch(/"method":"notifications\/cancelled","params":\{"requestId":\d+/);
    await expect(mcpPeer.request('tools/call', { name: 'get-sum', arguments: { a: 1, b: 1 } })).resolves.toBeDefined();
    expect(mcpPeer.pendingCount).toBe(0);
  }, 20_000);

  it('printed nothing unexpected on stderr', () => {
    expect(stderr).not.toMatch(/error|exception/i);
  });
});
