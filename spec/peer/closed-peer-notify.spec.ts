// A notification on a peer that its transport closed says why, as a call does, and names
// its method; one on a peer closed by close() says only that it is closed.
import { NEVER, throwError } from 'rxjs';
import { ConnectionClosedError, connect, TransportError, type Transport } from 'rx-jsonrpc';

const refusing: Transport = {
  connect: () => throwError(() => new TransportError('the server refused the link', { retryable: false })),
};

describe('notify() on a closed peer', () => {
  it('throws an error that names the method and keeps why the link closed', () => {
    const peer = connect(refusing);
    let thrown: unknown;
    try {
      peer.notify('chat.send', ['hi']);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConnectionClosedError);
    expect(thrown).toMatchObject({ method: 'chat.send', retryable: false });
    expect((thrown as Error).message).toContain('Notification (chat.send) not sent: the peer is closed');
    expect((thrown as Error).message).toContain('the server refused the link');
    expect((thrown as Error).cause).toMatchObject({ message: 'the server refused the link' });
  });

  it('after close(), says it is closed and has no cause', async () => {
    const peer = connect({ connect: () => NEVER });
    await peer.close();
    let thrown: unknown;
    try {
      peer.notify('chat.send');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConnectionClosedError);
    expect((thrown as Error).message).toBe('Notification (chat.send) not sent: the peer is closed');
    expect((thrown as Error).cause).toBeUndefined();
  });
});
