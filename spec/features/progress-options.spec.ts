// requestWithProgress$ passes the options of a call on: onId hears the id it is sent with.
import { lastValueFrom } from 'rxjs';
import { requestWithProgress$ } from 'rx-jsonrpc';
import { closeAll, peerPair } from '../helpers/memory-peers';

afterEach(closeAll);

describe('requestWithProgress$ options', () => {
  it('tells onId the id of the call, as request$ does', async () => {
    const { client, server } = peerPair();
    server.handle('build', (_params, { progress }) => {
      progress('half');
      return 'built';
    });
    const ids: unknown[] = [];
    const events = await lastValueFrom(requestWithProgress$(client, 'build', {}, { onId: (id) => ids.push(id) }));
    expect(events).toEqual({ kind: 'result', result: 'built' });
    expect(ids).toEqual([1]);
  });
});
