import { JsonRpcError, positional, type HandlerContext } from 'rx-jsonrpc';
import { closeAll, peerPair } from '../helpers/memory-peers';

afterEach(closeAll);

const context = {} as HandlerContext;

describe('positional', () => {
  it('spreads array params into the arguments', () => {
    expect(positional((a: number, b: number) => a - b)([42, 23], context)).toBe(19);
  });

  it('calls with no arguments when params are absent', () => {
    expect(positional((...args: unknown[]) => args.length)(undefined, context)).toBe(0);
  });

  it('throws -32602 Invalid params for named params', () => {
    const handler = positional((a: number) => a);
    expect(() => handler({ a: 1 }, context)).toThrow(JsonRpcError);
    expect(() => handler({ a: 1 }, context)).toThrow(
      expect.objectContaining({ code: -32602, message: 'Invalid params', data: 'expected positional (array) params' }),
    );
  });

  it('answers a caller who sends named params with -32602', async () => {
    const { client, server } = peerPair();
    server.handle(
      'subtract',
      positional((a: number, b: number) => a - b),
    );
    await expect(client.request('subtract', [42, 23])).resolves.toBe(19);
    await expect(client.request('subtract', { a: 1 })).rejects.toMatchObject({ code: -32602 });
  });
});
