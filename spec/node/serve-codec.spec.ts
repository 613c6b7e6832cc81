// serve() with a codec: its peers and notifyAll write with it.
import { connect, type Codec, type Peer } from 'rx-jsonrpc';
import { serve, webSocket, type JsonRpcServer } from 'rx-jsonrpc/node';
import { observe } from '../helpers/observe';

/** JSON with BigInt written as bare digits. */
const bigIntJson: Codec = {
  encode: (message) =>
    JSON.stringify(message, (_key, value: unknown) =>
      typeof value === 'bigint' ? `@@${value.toString()}@@` : value,
    ).replace(/"@@(-?\d+)@@"/g, '$1'),
  decode: (text) =>
    JSON.parse(text.replace(/([:,[]\s*)(-?\d{16,})(?=\s*[,\]}])/g, '$1"@@$2@@"'), (_key, value: unknown) =>
      typeof value === 'string' && /^@@-?\d+@@$/.test(value) ? BigInt(value.slice(2, -2)) : value,
    ),
};

const big = 2n ** 70n;
let server: JsonRpcServer | undefined;
let client: Peer | undefined;

afterEach(async () => {
  await client?.close();
  await server?.close();
});

describe('serve() with a codec', () => {
  it('answers and broadcasts with the codec of its peer options', async () => {
    server = await serve({ port: 0, host: '127.0.0.1', peer: { codec: bigIntJson } }, (peer) => {
      peer.handle('square', ([n]: [bigint]) => n * n);
    });
    client = connect(webSocket(server.url ?? ''), { codec: bigIntJson });
    expect(await client.request('square', [big])).toBe(big * big);
    const ticks = observe(client.notifications$<[bigint]>('tick'));
    server.notifyAll('tick', [big]);
    expect(await ticks.next()).toEqual([big]);
  });
});
