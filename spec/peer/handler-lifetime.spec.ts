// A handler still running when its link drops or its peer closes is stopped: its signal aborts
// with a reason that says so, the work of its Observable is unsubscribed, and nothing is answered.
import { Observable, Subject } from 'rxjs';
import { closeAll, peerWithRawServer } from '../helpers/memory-peers';
import { settle } from '../helpers/raw-end';
import { reconnecting } from 'rx-jsonrpc';

afterEach(closeAll);

describe('a request handler still running', () => {
  describe('when the link drops', () => {
    it('is aborted with a reason that says so, and answers nothing', async () => {
      const { peer, raw, link } = await peerWithRawServer();
      let reason: unknown;
      peer.handle('work', (_params, { signal }) => {
        signal.addEventListener('abort', () => (reason = signal.reason));
        return new Subject<string>();
      });
      raw.send({ jsonrpc: '2.0', id: 1, method: 'work', params: [] });
      await settle();
      link.drop(1006);
      await settle();
      expect((reason as Error).message).toBe('the link to the caller was lost');
      expect(peer.answeringCount).toBe(0);
    });
  });
});

describe('the work of notification handlers', () => {
  it('is unsubscribed when the link drops', async () => {
    const again = new Subject<void>();
    const { peer, raw, link } = await peerWithRawServer({ reconnect: reconnecting({ delay: () => again }) });
    const events: string[] = [];
    peer.handle(
      'watch',
      ([name]: [string]) =>
        new Observable<never>(() => {
          events.push(`start ${name}`);
          return () => events.push(`stop ${name}`);
        }),
    );
    raw.send({ jsonrpc: '2.0', method: 'watch', params: ['a'] });
    raw.send({ jsonrpc: '2.0', method: 'watch', params: ['b'] });
    await settle();
    expect(events).toEqual(['start a', 'start b']);
    link.drop(1006);
    await settle();
    expect(events).toEqual(['start a', 'start b', 'stop a', 'stop b']);
    expect(raw.received).toEqual([]);
  });

  it('is unsubscribed when the peer closes', async () => {
    const { peer, raw } = await peerWithRawServer();
    let stopped = false;
    peer.handle('watch', () => new Observable<never>(() => () => (stopped = true)));
    raw.send({ jsonrpc: '2.0', method: 'watch' });
    await settle();
    expect(stopped).toBe(false);
    await peer.close();
    expect(stopped).toBe(true);
  });
});

describe('a request in the frame that closed the peer', () => {
  it('runs no handler: a notification before it in a batch closed the peer', async () => {
    const { peer, raw } = await peerWithRawServer();
    let ran = 0;
    peer.handle('work', () => {
      ran++;
      return 'done';
    });
    peer.notifications$('bye').subscribe(() => void peer.close());
    raw.send([
      { jsonrpc: '2.0', method: 'bye' },
      { jsonrpc: '2.0', id: 99, method: 'work' },
    ]);
    await settle();
    expect(ran).toBe(0);
    expect(peer.answeringCount).toBe(0);
  });
});
