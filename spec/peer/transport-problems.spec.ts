// What the peer makes of a transport that fails or falls short: an attempt that errors, frames
// that end in an error, a write that throws (and the calls written with it), the problems it
// reports, a link with no calls to us.
import {
  asapScheduler,
  filter,
  firstValueFrom,
  forkJoin,
  lastValueFrom,
  map,
  observeOn,
  Subject,
  switchMap,
  take,
  throwError,
  timer,
  toArray,
  type Observable,
} from 'rxjs';
import { connect, memoryPair, TransportError, type Connection, type PeerState, type Transport } from 'rx-jsonrpc';
import { observe } from '../helpers/observe';
import { rawEnd, settle } from '../helpers/raw-end';

const opened: { close(): void }[] = [];
afterEach(() => opened.splice(0).forEach((peer) => peer.close()));

/** The client end of a memory link, with its connections changed by `change`, opening in a later task. */
function changed(change: (connection: Connection) => Connection) {
  const link = memoryPair();
  const transport: Transport = {
    connect: () => (link.client.connect() as Observable<Connection>).pipe(observeOn(asapScheduler), map(change)),
  };
  return { link, transport };
}

/** A peer over a link whose writes throw `failure`, open. */
async function writesThrow(failure: unknown) {
  const { link, transport } = changed((c) => ({
    ...c,
    send: () => {
      throw failure;
    },
  }));
  const peer = connect(transport);
  opened.push(peer);
  await rawEnd(link.server);
  await settle();
  return peer;
}

describe('a transport whose attempt fails', () => {
  it('closes the peer with a TransportError naming the failure, with it as the cause', async () => {
    const boom = new Error('boom');
    const peer = connect({ connect: () => throwError(() => boom) });
    opened.push(peer);
    const states = observe(peer.state$);
    await settle();
    const last = states.values.at(-1) as Extract<PeerState, { status: 'closed' }>;
    expect(last.status).toBe('closed');
    expect(last.error).toBeInstanceOf(TransportError);
    expect(last.error!.message).toBe('The transport failed: boom');
    expect(last.error!.cause).toBe(boom);
  });

  it('closes the peer, not connect(), when connect() itself throws', async () => {
    const boom = new Error('no WebSocket here');
    const peer = connect({
      connect: () => {
        throw boom;
      },
    });
    opened.push(peer);
    const states = observe(peer.state$);
    await settle();
    expect(states.values.at(-1)).toMatchObject({
      status: 'closed',
      error: { name: 'TransportError', message: 'The transport failed: no WebSocket here', cause: boom },
    });
    await expect(peer.request('x')).rejects.toThrow(/not sent: the peer is closed: The transport failed/);
  });

  it.each([
    ['its message, for an object with a string message', { message: 'plain object' }, 'plain object'],
    ['itself as text, for an object whose message is not a string', { message: 5 }, '[object Object]'],
    ['itself, for a string', 'text', 'text'],
    ['"null", for null', null, 'null'],
    ['"undefined", for undefined', undefined, 'undefined'],
  ])('names a failure that is not an Error by %s', async (_, failure, named) => {
    const peer = connect({ connect: () => throwError(() => failure) });
    opened.push(peer);
    const states = observe(peer.state$);
    await settle();
    expect(states.values.at(-1)).toMatchObject({
      status: 'closed',
      error: { name: 'TransportError', message: `The transport failed: ${named}` },
    });
  });
});

describe('a link whose frames end in an error', () => {
  it('closes the peer with that error', async () => {
    const failure = new Subject<never>();
    const { link, transport } = changed((c) => ({ ...c, frames$: failure }));
    const peer = connect(transport);
    opened.push(peer);
    const states = observe(peer.state$);
    await rawEnd(link.server);
    await settle();
    const error = new TransportError('reset by peer', { retryable: true });
    failure.error(error);
    await settle();
    expect(states.values.at(-1)).toMatchObject({ status: 'closed', error });
  });
});

describe('a write that throws', () => {
  it('fails the call with a TransportError wrapping what the transport threw', async () => {
    const epipe = new Error('EPIPE');
    const peer = await writesThrow(epipe);
    const error = (await observe(peer.request$('m')).error()) as Error;
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ message: 'Request 1 (m) failed: Could not send a frame: EPIPE', method: 'm', id: 1 });
    expect((error.cause as Error).cause).toBe(epipe);
  });

  it('fails the call with the RpcError the transport threw, restated for the call, the original as cause', async () => {
    const refused = new TransportError('frame too large', { retryable: false, status: 413 });
    const peer = await writesThrow(refused);
    const error = (await observe(peer.request$('m')).error()) as TransportError;
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({
      message: 'Request 1 (m) failed: frame too large',
      retryable: false,
      status: 413,
      method: 'm',
      id: 1,
    });
    expect(error.cause).toBe(refused);
  });

  describe('on a read-only socket', () => {
    const readOnly = (connection: Connection): Connection => ({
      ...connection,
      send: () => {
        throw new Error('socket is read-only');
      },
    });

    it('fails a call made before the link opened the same way, and keeps nothing pending', async () => {
      const { transport } = changed(readOnly);
      const peer = connect(transport);
      opened.push(peer);
      const error = await peer.request('m').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransportError);
      expect((error as Error).message).toBe('Request 1 (m) failed: Could not send a frame: socket is read-only');
      expect(peer.pendingCount).toBe(0);
    });

    it('gives back the concurrency slot of a call whose write failed', async () => {
      const { transport } = changed(readOnly);
      const peer = connect(transport, { requestConcurrency: 1, timeout: 0 });
      opened.push(peer);
      await firstValueFrom(peer.state$.pipe(filter((s) => s.status === 'open')));
      // Each call fails inside the slot it was given: without the slot back, the second would wait forever.
      const first = await peer.request('a').catch((e: unknown) => e);
      const second = await peer.request('b').catch((e: unknown) => e);
      expect([first, second].map((e) => (e as Error).message)).toEqual([
        'Request 1 (a) failed: Could not send a frame: socket is read-only',
        'Request 2 (b) failed: Could not send a frame: socket is read-only',
      ]);
      expect(peer.pendingCount).toBe(0);
    });

    it('reports a notification or an answer it could not send', async () => {
      const { link, transport } = changed(readOnly);
      const raw = await rawEnd(link.server);
      const peer = connect(transport);
      opened.push(peer);
      const reported = lastValueFrom(peer.errors$.pipe(take(2), toArray()));
      peer.notify('note');
      raw.send({ jsonrpc: '2.0', id: 1, method: 'missing' });
      expect((await reported).map((e) => e.message)).toEqual([
        'Could not send a frame: socket is read-only',
        'Could not send a frame: socket is read-only',
      ]);
      raw.close();
    });
  });
});

describe('calls that fail as they are written', () => {
  /** A memory link whose first write is refused (as a full send buffer refuses it), opened after `delay` ms. */
  const refusingFirstWrite = (delay: number) => {
    const link = memoryPair();
    const written: unknown[] = [];
    let refuse = true;
    const transport: Transport = {
      connect: () =>
        timer(delay).pipe(
          switchMap(() => link.client.connect()),
          map((connection) => ({
            ...connection,
            send: (frame: string) => {
              written.push(frame);
              if (refuse) {
                refuse = false;
                throw new TransportError('Send buffer full');
              }
              return connection.send(frame);
            },
          })),
        ),
    };
    return { link, written, transport };
  };

  it.each([
    ['waited for the link together', 10],
    ['were made on an open link', 0],
  ])('end the others of a forkJoin unsent when they %s', async (_, delay) => {
    const { link, written, transport } = refusingFirstWrite(delay);
    const server = await rawEnd(link.server);
    const peer = connect(transport);
    if (delay === 0) await firstValueFrom(peer.state$.pipe(filter((state) => state.status === 'open')));
    const both = firstValueFrom(forkJoin([peer.request$('a'), peer.request$('b')])).catch((e: unknown) => e);
    expect(await both).toMatchObject({ name: 'TransportError' });
    await settle();
    expect(written).toEqual([expect.stringContaining('"method":"a"')]);
    expect(peer.pendingCount).toBe(0);
    server.close();
    peer.close();
  });
});

describe('problems the transport reports', () => {
  it('go to errors$', async () => {
    const problems = new Subject<TransportError>();
    const { link, transport } = changed((c) => ({ ...c, problems$: problems }));
    const peer = connect(transport);
    opened.push(peer);
    const reported = observe(peer.errors$);
    await rawEnd(link.server);
    await settle();
    const problem = new TransportError('frame too large');
    problems.next(problem);
    expect(reported.values).toEqual([problem]);
  });
});
