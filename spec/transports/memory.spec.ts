import { ConnectionClosedError } from '../../lib/protocol/errors';
import { memoryPair } from '../../lib/transports/memory';
import { tap } from 'rxjs';
import { observe, stopObserving, type Observed } from '../helpers/observe';
import { openConnection } from '../helpers/open-connection';

afterEach(() => stopObserving());

describe('memoryPair', () => {
  describe('when both ends are connected', () => {
    it('emits one Connection per end, with memory info', async () => {
      const link = memoryPair();
      const client = observe(link.client.connect());
      const server = observe(link.server.connect());
      expect(client.values).toHaveLength(1);
      expect(client.values[0]!.info).toEqual({ transport: 'memory' });
      expect(server.values).toHaveLength(1);
      await Promise.resolve();
      expect(client.ending).toBeUndefined();
      expect(server.ending).toBeUndefined();
    });

    it('delivers frames asynchronously, not in the same tick as send', async () => {
      const link = memoryPair();
      const client = await openConnection(link.client);
      const server = await openConnection(link.server);
      client.connection.send('{"n":1}');
      expect(server.frames.values).toEqual([]);
      expect(await server.frames.next()).toBe('{"n":1}');
    });

    it('delivers frames in order, both ways', async () => {
      const link = memoryPair();
      const client = await openConnection(link.client);
      const server = await openConnection(link.server);
      for (const n of [1, 2, 3]) client.connection.send(`c${n}`);
      server.connection.send('s1');
      client.connection.send('c4');
      server.connection.send('s2');
      expect([await server.frames.next(), await server.frames.next()]).toEqual(['c1', 'c2']);
      expect([await server.frames.next(), await server.frames.next()]).toEqual(['c3', 'c4']);
      expect([await client.frames.next(), await client.frames.next()]).toEqual(['s1', 's2']);
    });

    it('does not echo a frame back to its sender', async () => {
      const link = memoryPair();
      const client = await openConnection(link.client);
      const server = await openConnection(link.server);
      client.connection.send('ping');
      await server.frames.next();
      expect(client.frames.values).toEqual([]);
    });
  });

  describe('when the other end is not connected yet', () => {
    it('delivers the frames sent before, in order, once it connects', async () => {
      const link = memoryPair();
      const client = await openConnection(link.client);
      client.connection.send('first');
      client.connection.send('second');
      await new Promise((resolve) => setTimeout(resolve, 0));
      const server = await openConnection(link.server);
      expect(await server.frames.next()).toBe('first');
      expect(await server.frames.next()).toBe('second');
    });
  });

  describe('when an end connects again while connected', () => {
    it('errors the old connection with ConnectionClosedError', async () => {
      const link = memoryPair();
      const old = await openConnection(link.client);
      await openConnection(link.client);
      const error = await old.link.error();
      expect(error).toBeInstanceOf(ConnectionClosedError);
      expect(error).toMatchObject({ message: 'Memory link replaced by a new connection', code: 1006, retryable: true });
    });
  });

  describe('drop', () => {
    it('errors both ends with ConnectionClosedError carrying code and reason', async () => {
      const link = memoryPair();
      const client = await openConnection(link.client);
      const server = await openConnection(link.server);
      link.drop(4000, 'network down');
      for (const end of [client, server]) {
        const error = await end.link.error();
        expect(error).toBeInstanceOf(ConnectionClosedError);
        expect(error).toMatchObject({
          message: 'Memory link closed (4000: network down)',
          code: 4000,
          reason: 'network down',
          retryable: true,
        });
        expect(end.frames.ending).toEqual({ kind: 'complete' });
      }
    });

    it('closes with 1006 and no reason by default', async () => {
      const link = memoryPair();
      const client = await openConnection(link.client);
      link.drop();
      expect(await client.link.error()).toMatchObject({
        message: 'Memory link closed (1006): no close frame: the network dropped or the other side died',
        code: 1006,
        reason: '',
      });
    });

    it('delivers the frames already sent before the ends see the close', async () => {
      const link = memoryPair();
      const client = await openConnection(link.client);
      const server = await openConnection(link.server);
      client.connection.send('to server');
      server.connection.send('to client');
      link.drop(1006);
      await Promise.all([client.link.ended, server.link.ended]);
      expect(server.frames.values).toEqual(['to server']);
      expect(client.frames.values).toEqual(['to client']);
    });

    it('errors asynchronously, not in the call to drop', async () => {
      const link = memoryPair();
      const client = await openConnection(link.client);
      link.drop();
      expect(client.link.ending).toBeUndefined();
      await client.link.ended;
      expect(client.link.ending?.kind).toBe('error');
    });

    it('ignores frames sent on a dropped connection', async () => {
      const link = memoryPair();
      const client = await openConnection(link.client);
      link.drop();
      await client.link.ended;
      client.connection.send('too late');
      const server = await openConnection(link.server);
      await new Promise((resolve) => setTimeout(resolve, 0));
      expect(server.frames.values).toEqual([]);
    });

    it('lets both ends connect again and talk', async () => {
      const link = memoryPair();
      const first = await openConnection(link.client);
      await openConnection(link.server);
      link.drop();
      await first.link.ended;
      const client = await openConnection(link.client);
      const server = await openConnection(link.server);
      client.connection.send('again');
      server.connection.send('welcome back');
      expect(await server.frames.next()).toBe('again');
      expect(await client.frames.next()).toBe('welcome back');
    });
  });

  describe('connection.close', () => {
    it('closes both ends with the code and reason given', async () => {
      const link = memoryPair();
      const client = await openConnection(link.client);
      const server = await openConnection(link.server);
      client.connection.close(4001, 'bye');
      for (const end of [client, server]) {
        const error = await end.link.error();
        expect(error).toBeInstanceOf(ConnectionClosedError);
        expect(error).toMatchObject({ message: 'Memory link closed (4001: bye)', code: 4001, reason: 'bye' });
      }
    });

    it('closes with 1000 by default', async () => {
      const link = memoryPair();
      const client = await openConnection(link.client);
      const server = await openConnection(link.server);
      server.connection.close();
      expect(await client.link.error()).toMatchObject({ message: 'Memory link closed (1000)', code: 1000 });
    });

    it('does nothing on a connection that is already closed', async () => {
      const link = memoryPair();
      const stale = await openConnection(link.client);
      link.drop();
      await stale.link.ended;
      const client = await openConnection(link.client);
      const server = await openConnection(link.server);
      stale.connection.close(4000, 'stale');
      client.connection.send('still open');
      expect(await server.frames.next()).toBe('still open');
      expect(client.link.ending).toBeUndefined();
      expect(server.link.ending).toBeUndefined();
    });
  });

  describe('when one end unsubscribes', () => {
    it('closes the other end with 1000', async () => {
      const link = memoryPair();
      const client = await openConnection(link.client);
      const server = await openConnection(link.server);
      client.link.unsubscribe();
      const error = await server.link.error();
      expect(error).toBeInstanceOf(ConnectionClosedError);
      expect(error).toMatchObject({ message: 'Memory link closed (1000)', code: 1000, reason: '' });
      expect(client.frames.ending).toEqual({ kind: 'complete' });
      expect(client.link.ending).toBeUndefined();
    });

    it('still delivers to the other end what the leaving end sent', async () => {
      const link = memoryPair();
      const client = await openConnection(link.client);
      const server = await openConnection(link.server);
      client.connection.send('goodbye');
      client.link.unsubscribe();
      await server.link.ended;
      expect(server.frames.values).toEqual(['goodbye']);
    });

    it('lets that end connect again', async () => {
      const link = memoryPair();
      const first = await openConnection(link.client);
      first.link.unsubscribe();
      const client = await openConnection(link.client);
      const server = await openConnection(link.server);
      server.connection.send('hello');
      expect(await client.frames.next()).toBe('hello');
    });
  });

  describe('with serialize: false', () => {
    /** Connects both ends, recording what each receives as messages. */
    async function objectEnds() {
      const link = memoryPair({ serialize: false });
      const ends = [];
      for (const transport of [link.client, link.server]) {
        let messages: Observed<object> | undefined;
        const end = observe(transport.connect().pipe(tap((c) => (messages = observe(c.messages$!)))));
        ends.push({ connection: await end.next(), end, messages: messages! });
      }
      return { link, client: ends[0]!, server: ends[1]! };
    }

    it('hands the very object sent to the other end, in a microtask', async () => {
      const { client, server } = await objectEnds();
      const message = { jsonrpc: '2.0', method: 'tick', params: [new Date(0)] };
      client.connection.sendMessage!(message);
      expect(server.messages.values).toEqual([]);
      expect(await server.messages.next()).toBe(message);
    });

    it('delivers what was sent, then completes messages$, when the link drops', async () => {
      const { link, client, server } = await objectEnds();
      const message = { n: 1 };
      client.connection.sendMessage!(message);
      link.drop(1006);
      expect(await server.messages.ended).toEqual({ kind: 'complete' });
      expect(server.messages.values).toEqual([message]);
      expect(await server.end.error()).toBeInstanceOf(ConnectionClosedError);
    });
  });
});
