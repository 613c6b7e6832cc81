// A handler's progress(): sent as the peer's dialect says, with the token the call carries, and
// nothing at all when the call carries none, the dialect has no progress, or the value cannot be sent.
import { generic, lsp, mcp } from 'rx-jsonrpc';
import { closeAll, peerWithRawServer } from '../helpers/memory-peers';
import { observe } from '../helpers/observe';
import { settle } from '../helpers/raw-end';

afterEach(closeAll);

describe('a handler reporting progress', () => {
  it.each([
    [
      'generic',
      generic(),
      { progressToken: 'tk' },
      { method: '$/progress', params: { token: 'tk', value: { step: 1 } } },
    ],
    ['lsp', lsp(), { workDoneToken: 'tk' }, { method: '$/progress', params: { token: 'tk', value: { step: 1 } } }],
    [
      'mcp',
      mcp(),
      { _meta: { progressToken: 'tk' } },
      { method: 'notifications/progress', params: { step: 1, progressToken: 'tk' } },
    ],
  ])('sends it as the %s dialect says, with the token of the call', async (_name, dialect, params, expected) => {
    const { peer, raw } = await peerWithRawServer({ dialect });
    peer.handle('build', async (_params, { progress }) => {
      progress({ step: 1 });
      return 'built';
    });
    raw.send({ jsonrpc: '2.0', id: 7, method: 'build', params });
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', ...expected });
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', id: 7, result: 'built' });
  });

  it('sends an mcp progress value that is not an object as its progress member', async () => {
    const { peer, raw } = await peerWithRawServer({ dialect: mcp() });
    peer.handle('build', (_params, { progress }) => {
      progress(0.5);
      return 'built';
    });
    raw.send({ jsonrpc: '2.0', id: 7, method: 'build', params: { _meta: { progressToken: 3 } } });
    expect(await raw.next()).toEqual({
      jsonrpc: '2.0',
      method: 'notifications/progress',
      params: { progress: 0.5, progressToken: 3 },
    });
  });

  it('sends nothing when the caller asked for no progress: its params carry no token', async () => {
    const { peer, raw } = await peerWithRawServer();
    peer.handle('build', (_params, { progress }) => {
      progress('unasked');
      return 'built';
    });
    raw.send({ jsonrpc: '2.0', id: 7, method: 'build', params: { other: 1 } });
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', id: 7, result: 'built' });
    expect(raw.received).toHaveLength(1);
  });

  it('sends nothing for a call whose params are empty', async () => {
    const { peer, raw } = await peerWithRawServer();
    peer.handle('work', (_params, { progress }) => {
      progress(50);
      return 'done';
    });
    raw.send({ jsonrpc: '2.0', id: 1, method: 'work', params: {} });
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', id: 1, result: 'done' });
    await settle();
    expect(raw.received).toHaveLength(1);
  });

  it('sends nothing in a dialect without progress', async () => {
    const { peer, raw } = await peerWithRawServer({ dialect: { name: 'plain' } });
    peer.handle('build', (_params, { progress }) => {
      progress('unasked');
      return 'built';
    });
    raw.send({ jsonrpc: '2.0', id: 7, method: 'build', params: { progressToken: 'tk' } });
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', id: 7, result: 'built' });
    expect(raw.received).toHaveLength(1);
  });

  it('reports a progress value that cannot be sent, and still answers', async () => {
    const { peer, raw } = await peerWithRawServer();
    const reported = observe(peer.errors$);
    peer.handle('build', (_params, { progress }) => {
      progress(10n);
      return 'built';
    });
    raw.send({ jsonrpc: '2.0', id: 7, method: 'build', params: { progressToken: 'tk' } });
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', id: 7, result: 'built' });
    expect(reported.values).toHaveLength(1);
  });
});
