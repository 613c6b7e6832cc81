// What a handler's context shows of itself: its documented members, and not the call's
// controls (a spread or Object.keys of the context cannot abort the call).
import type { HandlerContext } from 'rx-jsonrpc';
import { closeAll, peerPair } from '../helpers/memory-peers';

afterEach(closeAll);

describe('the handler context', () => {
  it('lists its members, hands out no control of the call, and gives peer and signal when read', async () => {
    const { client, server } = peerPair();
    let seen: HandlerContext | undefined;
    server.handle('look', (_params, context) => {
      seen = context;
      return Object.keys(context).sort();
    });
    // peer and signal are getters (made when read: see CHANGELOG): a spread does not copy them.
    expect(await client.request('look')).toEqual(['connection', 'id', 'method', 'progress', 'session']);
    const { signal, peer } = seen ?? ({} as Partial<HandlerContext>);
    expect(peer).toBe(server);
    expect(signal).toBeInstanceOf(AbortSignal);
    expect(signal?.aborted).toBe(false);
  });

  it('gives a signal already aborted to a handler that first reads it after its call was given up', async () => {
    const { client, server } = peerPair({}, { handlerTimeout: 20 });
    const seen: boolean[] = [];
    server.handle('late', async (_params, context) => {
      await new Promise((resolve) => setTimeout(resolve, 60));
      seen.push(context.signal.aborted);
    });
    await expect(client.request('late')).rejects.toMatchObject({ code: -32001 });
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(seen).toEqual([true]);
  });
});
