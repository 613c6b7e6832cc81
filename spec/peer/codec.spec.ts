// The codec option: how messages become text and back, for both sides of every message
// (calls, answers, notifications, batches), with JSON's failure handling.
import { firstValueFrom } from 'rxjs';
import { batch, ProtocolError, type Codec, type RpcError } from 'rx-jsonrpc';
import { closeAll, peerPair, peerWithRawServer } from '../helpers/memory-peers';
import { bigIntJson } from '../helpers/big-int-json';
import { observe } from '../helpers/observe';

afterEach(closeAll);

const big = 2n ** 64n + 1n;

describe('codec', () => {
  it('carries what JSON cannot, both ways: params, results and notifications', async () => {
    const { client, server } = peerPair({ codec: bigIntJson }, { codec: bigIntJson });
    server.handle('double', ([n]: [bigint]) => n * 2n);
    const ticks = observe(client.notifications$<[bigint]>('tick'));
    server.handle('subscribe', () => {
      server.notify('tick', [big]);
      return true;
    });
    expect(await client.request('double', [big])).toBe(big * 2n);
    await client.request('subscribe');
    expect(await ticks.next()).toEqual([big]);
  });

  it('writes exact digits on the wire, and answers batches with it', async () => {
    const { peer, raw } = await peerWithRawServer({ codec: bigIntJson });
    const results = batch(peer, (b) => [b.request('a', [big]), b.request('b')]);
    await raw.next();
    const sent = raw.received[0] as string;
    expect(sent).toContain(`[${big.toString()}]`);
    raw.send(`[{"jsonrpc":"2.0","id":1,"result":${big.toString()}},{"jsonrpc":"2.0","id":2,"result":1}]`);
    expect(await results).toEqual([
      { ok: true, value: big },
      { ok: true, value: 1 },
    ]);
  });

  it('fails a call whose params the codec cannot write, before anything is sent', async () => {
    const refusing: Codec = {
      encode: () => {
        throw new Error('no');
      },
      decode: (text) => JSON.parse(text),
    };
    const { peer, raw } = await peerWithRawServer({ codec: refusing });
    const error = await firstValueFrom(peer.request$('a')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as Error).message).toBe('Request 1 (a) cannot be serialised by the codec: no');
    expect(raw.received).toEqual([]);
  });

  it('fails a call when encode returns something other than text', async () => {
    const { peer } = await peerWithRawServer({
      codec: { encode: () => 42 as unknown as string, decode: (text) => JSON.parse(text) },
    });
    const error = await firstValueFrom(peer.request$('a')).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/encode\(\) returned number, not a string/);
  });

  it('answers -32700 and reports a frame the codec cannot read', async () => {
    const strict: Codec = {
      encode: (message) => JSON.stringify(message),
      decode: (text) => {
        if (text.includes('NaN')) throw new SyntaxError('no NaN here');
        return JSON.parse(text);
      },
    };
    const { peer, raw } = await peerWithRawServer({ codec: strict });
    const errors: RpcError[] = [];
    peer.errors$.subscribe((error) => errors.push(error));
    raw.send('{"jsonrpc":"2.0","id":1,"method":"NaN"}');
    expect(await raw.next()).toMatchObject({ id: null, error: { code: -32700 } });
    expect(errors[0]).toBeInstanceOf(ProtocolError);
    expect((errors[0]?.cause as Error).message).toBe('no NaN here');
  });

  it('writes answers with it, and one it cannot write becomes -32603', async () => {
    const { peer, raw } = await peerWithRawServer({ codec: bigIntJson });
    peer.handle('big', () => big);
    peer.handle('cyclic', () => {
      const cycle: { self?: unknown } = {};
      cycle.self = cycle;
      return cycle;
    });
    raw.send({ jsonrpc: '2.0', id: 1, method: 'big' });
    raw.send({ jsonrpc: '2.0', id: 2, method: 'cyclic' });
    const frames = [await raw.next(), await raw.next()];
    expect(raw.received[0]).toBe(`{"jsonrpc":"2.0","id":1,"result":${big.toString()}}`);
    expect(frames[1]).toMatchObject({ id: 2, error: { code: -32603 } });
  });

  it('shares a call whose params only the codec can write', async () => {
    const { peer, raw } = await peerWithRawServer({ codec: bigIntJson });
    const first = firstValueFrom(peer.request$('balance', [big], { share: true }));
    const second = firstValueFrom(peer.request$('balance', [big], { share: true }));
    await raw.next();
    raw.send('{"jsonrpc":"2.0","id":1,"result":7}');
    expect(await Promise.all([first, second])).toEqual([7, 7]);
    expect(raw.received).toHaveLength(1);
  });
});
