// Interoperability: rx-jsonrpc's http() against the Model Context Protocol's Streamable HTTP
// server, the MCP SDK's StreamableHTTPServerTransport serving @modelcontextprotocol/server-everything,
// run as a real child process on 127.0.0.1: sessions, answers as event streams with progress
// and calls to us inside them, the standing GET stream, cancel, and DELETE on close.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { filter, firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { connect, http, mcp, requestWithProgress$, type Peer } from 'rx-jsonrpc';

/** The SDK's own example server, with every request's method, session and MCP method printed as a JSON line. */
const serverScript = `
import { createServer as httpServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createServer } from '@modelcontextprotocol/server-everything/dist/server/index.js';
const say = (line) => process.stdout.write(JSON.stringify(line) + '\\n');
const events = new Map();
const eventStore = {
  storeEvent: async (streamId, message) => { const id = randomUUID(); events.set(id, { streamId, message }); return id; },
  replayEventsAfter: async (lastId, { send }) => {
    const all = [...events.entries()];
    const from = all.findIndex(([id]) => id === lastId);
    const streamId = all[from]?.[1].streamId;
    for (const [id, event] of all.slice(from + 1)) if (event.streamId === streamId) await send(id, event.message);
    return streamId;
  },
};
const sessions = new Map();
const server = httpServer(async (req, res) => {
  const sid = req.headers['mcp-session-id'];
  let body;
  if (req.method === 'POST') {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    body = JSON.parse(Buffer.concat(chunks).toString());
  }
  const rpc = body === undefined ? null : [body].flat().map((message) => message.method ?? 'answer').join(',');
  say({ http: req.method, session: sid ?? null, accept: req.headers.accept ?? null, rpc });
  let transport = sid === undefined ? undefined : sessions.get(sid);
  if (transport === undefined) {
    if (sid !== undefined || req.method !== 'POST') return res.writeHead(sid ? 404 : 400).end();
    const { server: mcp, cleanup } = createServer();
    transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      eventStore,
      onsessioninitialized: (id) => sessions.set(id, transport),
      onsessionclosed: (id) => { say({ closed: id }); sessions.delete(id); cleanup(id); },
    });
    await mcp.connect(transport);
  }
  await transport.handleRequest(req, res, body);
});
server.listen(0, '127.0.0.1', () => say({ port: server.address().port }));
`;

interface Line {
  readonly port?: number;
  readonly http?: string;
  readonly session?: string | null;
  readonly accept?: string | null;
  readonly closed?: string;
  readonly rpc?: string | null;
}
interface ToolResult {
  readonly content: readonly { readonly type: string; readonly text?: string }[];
}

let child: ChildProcess;
let url: string;
const lines: Line[] = [];
const waiters = new Set<() => void>();
const peers: Peer[] = [];
const rootsAsked = new Set<Peer>();

/** Resolves once the server has printed a line that `match` accepts. */
function seen(match: (line: Line) => boolean, ms = 5_000): Promise<Line> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const line = lines.find(match);
      if (line === undefined) return;
      waiters.delete(check);
      clearTimeout(timer);
      resolve(line);
    };
    const timer = setTimeout(() => {
      waiters.delete(check);
      reject(new Error(`the server printed no such line in ${ms} ms`));
    }, ms);
    waiters.add(check);
    check();
  });
}

beforeAll(async () => {
  child = spawn(process.execPath, ['--input-type=module', '-e', serverScript], {
    cwd: `${__dirname}/../..`,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // stdio 'pipe' gives the child a stdout.
  createInterface({ input: child.stdout! }).on('line', (text) => {
    if (!text.startsWith('{')) return;
    lines.push(JSON.parse(text) as Line);
    for (const check of [...waiters]) check();
  });
  const { port } = await seen((line) => line.port !== undefined, 15_000);
  url = `http://127.0.0.1:${port}/mcp`;
}, 20_000);

afterAll(async () => {
  for (const peer of peers) await peer.close();
  child.kill();
});

const initialize = {
  protocolVersion: '2025-06-18',
  capabilities: { elicitation: {}, roots: {} },
  clientInfo: { name: 'rx-jsonrpc-mcp-http', version: '0.1.0' },
};
const duplex = async (peer: Peer) => {
  const state = await firstValueFrom(peer.state$);
  return state.status === 'open' && state.info.duplex === true;
};
const toolText = (result: ToolResult) => result.content.map((part) => part.text ?? '').join('\n');

/** A peer of the MCP preset, initialized, its conditional tools (elicitation) registered. */
async function session(): Promise<Peer> {
  const peer = connect(http(url, { mcp: true }), { dialect: mcp(), timeout: 15_000 });
  peers.push(peer);
  peer.handle('elicitation/create', () => ({ action: 'accept', content: { name: 'Ada', check: true } }));
  // The server asks for them on the standing stream, 350 ms after notifications/initialized.
  peer.handle('roots/list', () => {
    rootsAsked.add(peer);
    return { roots: [{ uri: 'file:///tmp/rx-jsonrpc', name: 'scratch' }] };
  });
  await peer.request('initialize', initialize);
  peer.notify('notifications/initialized');
  // notifications/initialized is a POST of its own: the tools it registers come once it is read.
  for (let tries = 0; tries < 50; tries++) {
    const { tools } = await peer.request<{ tools: { name: string }[] }>('tools/list');
    if (tools.some((tool) => tool.name === 'trigger-elicitation-request')) return peer;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the conditional tools never came');
}

describe('http({ mcp: true }) against the MCP SDK Streamable HTTP server', () => {
  let peer: Peer;
  beforeAll(async () => {
    peer = await session();
  }, 20_000);

  it('initializes, keeps the session the server gave, and sends it on every later request', async () => {
    const posts = lines.filter((line) => line.http === 'POST');
    expect(posts[0]).toMatchObject({ session: null, accept: 'application/json, text/event-stream' });
    const given = posts[1]?.session;
    expect(given).toMatch(/^[0-9a-f-]{36}$/);
    await peer.request('tools/list');
    const later = lines.filter((line) => line.http !== undefined && line.session !== null);
    expect(later.length).toBeGreaterThan(2);
    expect(new Set(later.map((line) => line.session))).toEqual(new Set([given]));
  });

  it('lists tools and calls one', async () => {
    const { tools } = await peer.request<{ tools: { name: string }[] }>('tools/list');
    expect(tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(['echo', 'get-sum']));
    const result = await peer.request<ToolResult>('tools/call', { name: 'echo', arguments: { message: 'hé 😀' } });
    expect(toolText(result)).toContain('hé 😀');
  });

  it('gets an unknown method as the server’s JsonRpcError', async () => {
    await expect(peer.request('no/such-method')).rejects.toMatchObject({ name: 'JsonRpcError', code: -32601 });
  });

  it('reports progress of a tool call from its event stream, then completes with the answer', async () => {
    const events = await lastValueFrom(
      requestWithProgress$<ToolResult, { progress: number; total?: number }>(peer, 'tools/call', {
        name: 'trigger-long-running-operation',
        arguments: { duration: 0.3, steps: 3 },
      }).pipe(toArray()),
    );
    expect(events.map((event) => (event.kind === 'progress' ? event.progress : 'result'))).toEqual([
      { progress: 1, total: 3 },
      { progress: 2, total: 3 },
      { progress: 3, total: 3 },
      'result',
    ]);
    const last = events.at(-1);
    expect(last?.kind === 'result' && toolText(last.result)).toContain('Steps: 3');
  });

  it('answers the server’s elicitation/create, sent inside the call’s stream, with its handler', async () => {
    const result = await peer.request<ToolResult>('tools/call', { name: 'trigger-elicitation-request', arguments: {} });
    expect(toolText(result)).toMatch(/accept/i);
    expect(toolText(result)).toContain('Ada');
  });

  it('receives a log notification over the standing GET stream, with duplex true while it is open', async () => {
    await seen((line) => line.http === 'GET');
    // The server has the GET; the client has it open once the response's headers are read.
    for (let tries = 0; tries < 100 && !(await duplex(peer)); tries++) await new Promise((r) => setTimeout(r, 10));
    expect(await duplex(peer)).toBe(true);
    // Other logs of the server ("Roots updated: …" after roots/list) may come first on the same stream.
    const log = firstValueFrom(
      peer
        .notifications$<{ level: string; data: string }>('notifications/message')
        .pipe(filter((message) => String(message.data).includes('SessionId'))),
    );
    await peer.request('tools/call', { name: 'toggle-simulated-logging', arguments: {} });
    await expect(log).resolves.toMatchObject({ level: expect.any(String), data: expect.stringContaining('SessionId') });
    await peer.request('tools/call', { name: 'toggle-simulated-logging', arguments: {} });
  });

  it('answers roots/list, a call of the server’s on the standing stream, with its handler', async () => {
    for (let tries = 0; tries < 200 && !rootsAsked.has(peer); tries++) await new Promise((r) => setTimeout(r, 10));
    expect(rootsAsked.has(peer)).toBe(true);
    const result = await peer.request<ToolResult>('tools/call', { name: 'get-roots-list', arguments: {} });
    expect(toolText(result)).toContain('file:///tmp/rx-jsonrpc');
  });

  it('cancels a tool call by unsubscribing: the POST is aborted and notifications/cancelled sent', async () => {
    const before = lines.length;
    const subscription = peer
      .request$('tools/call', { name: 'trigger-long-running-operation', arguments: { duration: 5, steps: 5 } })
      .subscribe({ error: () => undefined });
    await seen((line) => lines.indexOf(line) >= before && line.http === 'POST');
    subscription.unsubscribe();
    expect(peer.pendingCount).toBe(0);
    // The cancel is a POST of its own; the peer still answers at once after it.
    await expect(peer.request('tools/list')).resolves.toHaveProperty('tools');
    expect(lines.slice(before).map((line) => line.rpc)).toContain('notifications/cancelled');
  });

  it('ends its session with DELETE on close', async () => {
    const other = await session();
    const sid = lines.filter((line) => line.http === 'POST' && line.session !== null).at(-1)?.session;
    await other.close();
    await expect(seen((line) => line.http === 'DELETE' && line.session === sid)).resolves.toBeDefined();
    await expect(seen((line) => line.closed === sid)).resolves.toBeDefined();
  });

  it('keeps sessions apart: two peers, two sessions', async () => {
    const other = await session();
    await other.request('tools/list');
    const sessions = new Set(lines.map((line) => line.session).filter((sid) => sid != null));
    expect(sessions.size).toBeGreaterThanOrEqual(2);
  });
});
