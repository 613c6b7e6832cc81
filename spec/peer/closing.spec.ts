// close(): the ConnectionClosedError of the calls it cuts, naming the code and the reason, and
// close({ drain }), which waits for the calls being answered before it closes.
import { Subject, VirtualAction, VirtualTimeScheduler } from 'rxjs';
import { ConnectionClosedError } from 'rx-jsonrpc';
import { closeAll, peerWithRawServer } from '../helpers/memory-peers';
import { observe } from '../helpers/observe';
import { settle } from '../helpers/raw-end';

afterEach(closeAll);

describe('close()', () => {
  describe('with calls in flight', () => {
    it('fails them with a ConnectionClosedError that names the code and reason, not retryable', async () => {
      const { peer, raw } = await peerWithRawServer();
      const states = observe(peer.state$);
      const call = observe(peer.request$('m'));
      await raw.next();
      await peer.close({ code: 4000, reason: 'bye' });
      const error = await call.error();
      expect(error).toBeInstanceOf(ConnectionClosedError);
      expect(error).toMatchObject({ code: 4000, reason: 'bye', retryable: false });
      expect((error as Error).message).toBe('Request 1 (m) failed: connection closed (4000: bye)');
      expect((error as Error).cause).toMatchObject({ message: 'Connection closed by this peer (4000: bye)' });
      expect(states.values.at(-1)).toEqual({ status: 'closed' });
    });

    it('names only the code when there is no reason', async () => {
      const { peer, raw } = await peerWithRawServer();
      const states = observe(peer.state$);
      const call = observe(peer.request$('m'));
      await raw.next();
      await peer.close();
      const error = (await call.error()) as Error;
      expect(error.message).toBe('Request 1 (m) failed: connection closed (1000)');
      expect(error.cause).toMatchObject({ message: 'Connection closed by this peer (1000)' });
      expect(states.values.at(-1)).toEqual({ status: 'closed' });
    });
  });

  describe('with a drain time', () => {
    it('closes at once when no call is being answered', async () => {
      const scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);
      const { peer } = await peerWithRawServer({ scheduler });
      await peer.close({ drain: 1_000 });
      expect(await new Promise((resolve) => peer.state$.subscribe((s) => resolve(s.status)))).toBe('closed');
    });

    it('waits for every call being answered, then closes, without waiting for the drain time', async () => {
      const scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);
      const { peer, raw } = await peerWithRawServer({ scheduler });
      const finish = [new Subject<string>(), new Subject<string>()];
      peer.handle('work', ([n]: [number]) => finish[n]!);
      raw.send({ jsonrpc: '2.0', id: 1, method: 'work', params: [0] });
      raw.send({ jsonrpc: '2.0', id: 2, method: 'work', params: [1] });
      await settle();
      let closed = false;
      const closing = peer.close({ drain: 1_000 }).then(() => (closed = true));
      finish[0]!.next('first');
      expect(await raw.next()).toMatchObject({ id: 1, result: 'first' });
      await settle();
      expect(closed).toBe(false);
      finish[1]!.next('second');
      expect(await raw.next()).toMatchObject({ id: 2, result: 'second' });
      await closing;
      expect(closed).toBe(true);
    });
  });
});
