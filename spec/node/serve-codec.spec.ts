// serve() with a codec: its peers and notifyAll write with it.
import { connect, type Peer } from 'rx-jsonrpc';
import { serve, webSocket, type JsonRpcServer } from 'rx-jsonrpc/node';
import { bigIntJson } from '../helpers/big-int-json';
import { observe } from '../helpers/observe';

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
