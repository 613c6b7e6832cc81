// The peer's hot streams (errors$, trace$, incoming$, requests$, foreign$, notifications$()):
// a subscriber hears what happens while it listens, nothing from before, and a stream first
// asked for after the peer closed completes at once.
import { lastValueFrom, toArray } from 'rxjs';
import { ProtocolError, type RpcError } from 'rx-jsonrpc';
import { closeAll, peerPair } from '../helpers/memory-peers';

afterEach(closeAll);

describe('the hot streams of a peer', () => {
  it('complete at once, empty, when first asked for after the peer closed', async () => {
    const { client } = peerPair();
    await client.close();
    const streams = [
      client.errors$,
      client.trace$,
      client.incoming$,
      client.requests$,
      client.foreign$,
      client.notifications$(),
    ];
    const values = await Promise.all(streams.map((stream) => lastValueFrom(stream.pipe(toArray()))));
    expect(values).toEqual([[], [], [], [], [], []]);
  });

  it('give each subscriber what happens while it listens, and nothing from before', () => {
    const { client } = peerPair();
    client.report(new ProtocolError('before anyone listened'));
    const first: string[] = [];
    const second: string[] = [];
    const message = (error: RpcError) => error.message;
    const firstListening = client.errors$.subscribe((error) => first.push(message(error)));
    client.report(new ProtocolError('one'));
    const secondListening = client.errors$.subscribe((error) => second.push(message(error)));
    client.report(new ProtocolError('two'));
    firstListening.unsubscribe();
    client.report(new ProtocolError('three'));
    secondListening.unsubscribe();
    client.report(new ProtocolError('after everyone left'));
    expect(first).toEqual(['one', 'two']);
    expect(second).toEqual(['two', 'three']);
  });

  it('complete a subscriber that listens when the peer closes', async () => {
    const { client } = peerPair();
    const heard = lastValueFrom(client.errors$.pipe(toArray()));
    client.report(new ProtocolError('heard'));
    await client.close();
    await expect(heard).resolves.toMatchObject([{ message: 'heard' }]);
  });
});
