// A server that calls its client back: the handler of 'files.delete' asks the client
// 'ui.confirm' through context.peer, and acts on the answer. The client serves that method.
// Run it with `npx tsx examples/servers/callback.ts`; it exits by itself.
import { connect, ErrorCodes, JsonRpcError } from 'rx-jsonrpc';
import { serve, webSocket } from 'rx-jsonrpc/node';

async function main(): Promise<void> {
  const files = new Set(['notes.txt', 'report.pdf']);

  const server = await serve({ port: 0 }, (peer) => {
    peer.handle('files.delete', async ({ name }: { name: string }, context) => {
      // context.peer is this client's peer: the request goes to the client that called.
      let yes: boolean;
      try {
        yes = await context.peer.request<boolean>('ui.confirm', { text: `Delete ${name}?` }, { timeout: 10_000 });
      } catch (error) {
        if (error instanceof JsonRpcError && error.code === ErrorCodes.MethodNotFound) {
          throw new JsonRpcError(4000, 'This client cannot confirm deletions');
        }
        throw error;
      }
      if (yes) files.delete(name);
      return { name, deleted: yes, left: [...files] };
    });
  });

  // The client serves 'ui.confirm' like any handler: a value, a Promise or an Observable.
  const rpc = connect(webSocket(server.url!), { timeout: 15_000 });
  rpc.handle('ui.confirm', ({ text }: { text: string }) => {
    const yes = text.includes('.txt');
    console.log(`  client <- ui.confirm "${text}" -> ${yes}`);
    return yes;
  });

  for (const name of ['notes.txt', 'report.pdf']) {
    console.log(`client -> files.delete ${name}`);
    console.log(`client <- ${JSON.stringify(await rpc.request('files.delete', { name }))}`);
  }

  // A client without 'ui.confirm': the server's call back fails with -32601, and it says so.
  const bare = connect(webSocket(server.url!), { timeout: 15_000 });
  console.log('bare client -> files.delete report.pdf');
  try {
    await bare.request('files.delete', { name: 'report.pdf' });
  } catch (error) {
    if (!(error instanceof JsonRpcError)) throw error;
    console.log(`bare client <- ${error.message}`);
  }

  rpc.close();
  bare.close();
  await server.close();
  console.log('closed');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
