// A handler's deadline counts from the handler's start, whatever else happens meanwhile: a
// call delivered while an earlier handler still ran synchronously does not delay the earlier
// deadline, and an outcome that comes at the very instant of the deadline is too late.
import { map, Observable, Subject, timer, VirtualAction, VirtualTimeScheduler } from 'rxjs';
import { connect, type Connection, type Transport } from 'rx-jsonrpc';

/** A link that delivers frames synchronously, as an in-process link may. */
function syncLink() {
  const frames = new Subject<string>();
  const sent: unknown[] = [];
  const connection: Connection = {
    info: { transport: 'sync' },
    frames$: frames,
    send: (frame: string) => void sent.push(JSON.parse(frame)),
    close: () => undefined,
  };
  const transport: Transport = { connect: () => new Observable<Connection>((opened) => opened.next(connection)) };
  const call = (id: number, method: string) => frames.next(JSON.stringify({ jsonrpc: '2.0', id, method }));
  return { transport, call, sent };
}

describe('handler deadlines', () => {
  it('fire for each handler handlerTimeout after it started, even when another began while it ran', async () => {
    const scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);
    const { transport, call } = syncLink();
    const peer = connect(transport, { handlerTimeout: 100, scheduler });
    const timedOut: string[] = [];
    peer.errors$.subscribe((error) => timedOut.push(`${scheduler.frame}: ${error.message}`));
    peer.handle('a', () => {
      scheduler.frame += 60; // 60 ms of synchronous work
      call(2, 'b'); // delivered while 'a' still runs
      return new Promise(() => undefined);
    });
    peer.handle('b', () => new Promise(() => undefined));
    call(1, 'a');
    scheduler.flush();
    expect(timedOut).toEqual([
      '100: Handler of a (request 1) timed out after 100 ms',
      '160: Handler of b (request 2) timed out after 100 ms',
    ]);
    await peer.close();
  });

  it('time out a handler whose outcome comes at the very instant of its deadline, whatever the order of timers', async () => {
    const scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);
    const { transport, call, sent } = syncLink();
    const peer = connect(transport, { handlerTimeout: 100, scheduler });
    peer.handle('a', () => timer(100, scheduler).pipe(map(() => 'done')));
    call(1, 'a');
    call(2, 'a');
    scheduler.flush();
    expect(sent).toEqual([
      { jsonrpc: '2.0', id: 1, error: expect.objectContaining({ code: -32001 }) },
      { jsonrpc: '2.0', id: 2, error: expect.objectContaining({ code: -32001 }) },
    ]);
    await peer.close();
  });
});
