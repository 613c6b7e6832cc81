// memoryPair({ serialize: false }): two peers in one process hand each other message objects,
// with no JSON text either way, and each message is still checked as parsed JSON is.
import { firstValueFrom, tap } from 'rxjs';
import {
  batch,
  connect,
  JsonRpcError,
  memoryPair,
  ProtocolError,
  type Codec,
  type Connection,
  type MemoryPair,
  type Peer,
  type RpcError,
  type TraceEvent,
} from 'rx-jsonrpc';
import { observe, stopObserving, type Observed } from '../helpers/observe';

const peers: Peer[] = [];
afterEach(async () => {
  for (const peer of peers.splice(0)) await peer.close();
  stopObserving();
});

function pair(options?: { codec?: Codec }): { client: Peer; server: Peer; link: MemoryPair } {
  const link = memoryPair({ serialize: false });
  const server = connect(link.server, options);
  const client = connect(link.client, options);
  peers.push(client, server);
  return { client, server, link };
}

/** The server end of an object pair driven by hand: it sends objects and records those it receives. */
async function rawServer(): Promise<{ client: Peer; connection: Connection; received: Observed<object> }> {
  const link = memoryPair({ serialize: false });
  let received: Observed<object> | undefined;
  const end = observe(link.server.connect().pipe(tap((connection) => (received = observe(connection.messages$!)))));
  const connection = await end.next();
  const client = connect(link.client);
  peers.push(client);
  return { client, connection, received: received! };
}

/** A server peer whose client end is driven by hand. */
async function rawClient(): Promise<{ server: Peer; connection: Connection; received: Observed<object> }> {
  const link = memoryPair({ serialize: false });
  const server = connect(link.server);
  peers.push(server);
  let received: Observed<object> | undefined;
  const end = observe(link.client.connect().pipe(tap((connection) => (received = observe(connection.messages$!)))));
  const connection = await end.next();
  return { server, connection, received: received! };
}

const never: Codec = {
  encode: () => {
    throw new Error('encode called');
  },
  decode: () => {
    throw new Error('decode called');
  },
};

describe('memoryPair({ serialize: false })', () => {
  describe('between two peers', () => {
    it('hands params and results over as the very objects: a Date arrives as that Date', async () => {
      const { client, server } = pair();
      const sent = new Date(0);
      const answer = new Map([['day', 4]]);
      let received: unknown;
      server.handle('day', (params: [Date]) => {
        received = params[0];
        return answer;
      });
      const result = await client.request('day', [sent]);
      expect(received).toBe(sent);
      expect(result).toBe(answer);
    });

    it('carries what JSON cannot, and uses no codec at all', async () => {
      const { client, server } = pair({ codec: never });
      server.handle('double', ([n]: [bigint]) => n * 2n);
      const ticks = observe(client.notifications$<[undefined, bigint]>('tick'));
      server.handle('tick', () => {
        server.notify('tick', [undefined, 1n]);
        return null;
      });
      expect(await client.request('double', [2n ** 64n])).toBe(2n ** 65n);
      await client.request('tick');
      expect(await ticks.next()).toEqual([undefined, 1n]);
    });

    it('sends a batch as one array of the messages, answered with one array of the answers', async () => {
      const { client, server } = pair();
      server.handle('echo', ([value]: [unknown]) => value);
      const out = observe(client.trace$);
      const date = new Date(0);
      const results = await batch(client, (b) => [b.request('echo', [date]), b.request('echo', [2])]);
      expect(results).toEqual([
        { ok: true, value: date },
        { ok: true, value: 2 },
      ]);
      expect((results[0] as { value: unknown }).value).toBe(date);
      const frames = out.values.filter((event): event is TraceEvent & { kind: 'out' | 'in' } => event.kind !== 'error');
      expect(frames.map((event) => [event.kind, Array.isArray(event.message)])).toEqual([
        ['out', true],
        ['in', true],
      ]);
    });

    it('shows each message on trace$ as itself, with its JSON text as the frame', async () => {
      const { client, server } = pair();
      server.handle('sum', ([a, b]: number[]) => a! + b!);
      const trace = observe(client.trace$);
      await client.request('sum', [1, 2]);
      const [sent, answer] = trace.values as (TraceEvent & { kind: 'out' | 'in' })[];
      expect(sent).toMatchObject({ kind: 'out', frame: '{"jsonrpc":"2.0","id":1,"method":"sum","params":[1,2]}' });
      expect(sent!.message).toEqual({ jsonrpc: '2.0', id: 1, method: 'sum', params: [1, 2] });
      expect(answer).toMatchObject({ kind: 'in', frame: '{"jsonrpc":"2.0","id":1,"result":3}' });
      expect(answer!.message).toEqual({ jsonrpc: '2.0', id: 1, result: 3 });
    });

    it('shows a message JSON cannot write on trace$ with an empty frame', async () => {
      const { client, server } = pair();
      server.handle('echo', ([value]: [unknown]) => value);
      const trace = observe(client.trace$);
      const params = [1n];
      await client.request('echo', params);
      const sent = trace.values[0] as TraceEvent & { kind: 'out' };
      expect(sent.frame).toBe('');
      expect((sent.message as { params: unknown }).params).toBe(params);
    });

    it('leaves nothing pending', async () => {
      const { client, server } = pair();
      server.handle('sum', ([a, b]: number[]) => a! + b!);
      await Promise.all([client.request('sum', [1, 2]), client.request('sum', [3, 4])]);
      expect(client.pendingCount).toBe(0);
      expect(server.answeringCount).toBe(0);
    });
  });

  describe('when a message is not what JSON text could have been', () => {
    it('answers params that JSON writes as a string with Invalid Request, and runs no handler', async () => {
      const { client, server } = pair();
      const handler = jest.fn(() => 1);
      server.handle('day', handler);
      const reported = observe(server.errors$);
      const error = await client.request('day', new Date(0) as unknown as object).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(JsonRpcError);
      expect(error).toMatchObject({ code: -32600, message: 'Request 1 (day) failed: Invalid Request (-32600)' });
      expect(handler).not.toHaveBeenCalled();
      expect((reported.values[0] as RpcError).message).toBe(
        'Invalid request: "params" must be an array or an object, got an instance of Date, which JSON does not write as an object',
      );
    });

    it('takes params that are a class instance, as JSON would take its fields, and hands it over as it is', async () => {
      class Point {
        constructor(
          readonly x: number,
          readonly y: number,
        ) {}
      }
      const { client, server } = pair();
      let received: unknown;
      server.handle('at', (params: Point) => {
        received = params;
        return params.x + params.y;
      });
      const point = new Point(1, 2);
      expect(await client.request('at', point)).toBe(3);
      expect(received).toBe(point);
    });

    it('answers a message that is not a plain object with Invalid Request', async () => {
      class Call {
        readonly jsonrpc = '2.0';
        readonly id = 7;
        readonly method = 'ping';
      }
      const { server, connection, received } = await rawClient();
      const handler = jest.fn(() => 'pong');
      server.handle('ping', handler);
      const reported = observe(server.errors$);
      connection.sendMessage!(new Call());
      expect(await received.next()).toEqual({
        jsonrpc: '2.0',
        id: 7,
        error: { code: -32600, message: 'Invalid Request' },
      });
      expect(handler).not.toHaveBeenCalled();
      expect((reported.values[0] as RpcError).message).toBe(
        'Invalid request: a message must be a plain object, got an instance of Call',
      );
    });

    it('answers the same as over JSON: a wrong version, an empty batch, a bad member of a batch', async () => {
      const { server, connection, received } = await rawClient();
      server.handle('ping', () => 'pong');
      connection.sendMessage!({ jsonrpc: '1.0', id: 1, method: 'ping' });
      expect(await received.next()).toEqual({
        jsonrpc: '2.0',
        id: 1,
        error: { code: -32600, message: 'Invalid Request' },
      });
      connection.sendMessage!([]);
      expect(await received.next()).toEqual({
        jsonrpc: '2.0',
        id: null,
        error: { code: -32600, message: 'Invalid Request' },
      });
      connection.sendMessage!([{ jsonrpc: '2.0', id: 2, method: 'ping' }, 42]);
      expect(await received.next()).toEqual([
        { jsonrpc: '2.0', id: 2, result: 'pong' },
        { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Invalid Request' } },
      ]);
    });

    it('refuses a batch over maxBatchSize as over JSON', async () => {
      const link = memoryPair({ serialize: false });
      const server = connect(link.server, { maxBatchSize: 1 });
      peers.push(server);
      server.handle('ping', () => 'pong');
      let received: Observed<object> | undefined;
      const end = observe(link.client.connect().pipe(tap((c) => (received = observe(c.messages$!)))));
      const connection = await end.next();
      connection.sendMessage!([
        { jsonrpc: '2.0', id: 1, method: 'ping' },
        { jsonrpc: '2.0', id: 2, method: 'ping' },
      ]);
      expect(await received!.next()).toEqual({
        jsonrpc: '2.0',
        id: null,
        error: { code: -32600, message: 'Invalid Request' },
      });
    });

    it('fails a call whose answer has an undefined result, as JSON, which leaves it out, would', async () => {
      const { client, connection, received } = await rawServer();
      const call = client.request('ping').catch((e: unknown) => e);
      const request = (await received.next()) as { id: number };
      connection.sendMessage!({ jsonrpc: '2.0', id: request.id, result: undefined });
      const error = await call;
      expect(error).toBeInstanceOf(ProtocolError);
      expect((error as Error).message).toBe(
        'Request 1 (ping) got an invalid response: a response needs "result", got undefined: {"jsonrpc":"2.0","id":1}',
      );
      expect(client.pendingCount).toBe(0);
    });

    it('reports a message that throws while it is read, and keeps going', async () => {
      const { server, connection, received } = await rawClient();
      server.handle('ping', () => 'pong');
      const reported = observe(server.errors$);
      const hostile = new Proxy(
        {},
        {
          get: () => {
            throw new Error('no reading me');
          },
        },
      );
      connection.sendMessage!(hostile);
      connection.sendMessage!({ jsonrpc: '2.0', id: 1, method: 'ping' });
      expect(await received.next()).toEqual({ jsonrpc: '2.0', id: 1, result: 'pong' });
      expect(reported.values.map((error) => error.message)).toEqual(['Message could not be read: no reading me']);
    });
  });

  describe('its ends', () => {
    it('say they do not serialize, and carry text written with send() as text', async () => {
      const { server, connection, received } = await rawClient();
      expect(memoryPair({ serialize: false }).client.serialize).toBe(false);
      server.handle('ping', () => 'pong');
      connection.send('{"jsonrpc":"2.0","id":5,"method":"ping"}');
      expect(await received.next()).toEqual({ jsonrpc: '2.0', id: 5, result: 'pong' });
    });
  });
});

describe('memoryPair() by default', () => {
  it('writes JSON text: a Date arrives as its ISO string, through the codec', async () => {
    const link = memoryPair();
    expect(link.client.serialize).toBeUndefined();
    const codec: Codec = {
      encode: jest.fn((m: object) => JSON.stringify(m)),
      decode: jest.fn((t: string) => JSON.parse(t)),
    };
    const server = connect(link.server, { codec });
    const client = connect(link.client, { codec });
    peers.push(client, server);
    server.handle('echo', ([value]: [unknown]) => value);
    const connection = await firstValueFrom(memoryPair().client.connect());
    expect(connection.sendMessage).toBeUndefined();
    expect(connection.messages$).toBeUndefined();
    expect(await client.request('echo', [new Date(0)])).toBe('1970-01-01T00:00:00.000Z');
    expect(codec.encode).toHaveBeenCalledTimes(2);
    expect(codec.decode).toHaveBeenCalledTimes(2);
  });
});
