// Two ways to know who is calling. 1: authenticate() checks a token in the upgrade request
// and refuses the rest with HTTP 401; the identity seeds the session. 2: everyone may
// connect, and a 'login' call puts the identity in the session for later calls.
// Run it with `npx tsx examples/servers/authenticated.ts`; it exits by itself.
import { connect, JsonRpcError, TransportError } from 'rx-jsonrpc';
import { serve, webSocket } from 'rx-jsonrpc/node';

// A Map, not an object: a token such as "__proto__" must find nobody.
const users = new Map([['token-ada', 'ada']]);

/** Prints a call's answer or error. */
async function show(call: string, answer: Promise<unknown>): Promise<void> {
  try {
    console.log(`${call}: ${JSON.stringify(await answer)}`);
  } catch (error) {
    if (error instanceof JsonRpcError) console.log(`${call}: ${error.message}`);
    else if (error instanceof TransportError) console.log(`${call}: ${error.name}: ${error.message}`);
    else throw error;
  }
}

async function main(): Promise<void> {
  // 1. A token in the upgrade request, checked before the WebSocket exists.
  const guarded = await serve(
    {
      port: 0,
      authenticate: (request) => {
        const user = users.get(request.headers.authorization?.replace(/^Bearer /, '') ?? '');
        return user === undefined ? false : { user };
      },
    },
    (peer, connection) => {
      peer.handle('whoami', (_params, { session }) => ({ user: session.user, theme: connection.cookies.theme }));
    },
  );
  const anonymous = connect(webSocket(guarded.url!));
  await show('anonymous -> whoami', anonymous.request('whoami'));
  const headers = { authorization: 'Bearer token-ada', cookie: 'theme=dark' };
  const ada = connect(webSocket(guarded.url!, { headers }));
  await show('ada -> whoami', ada.request('whoami'));

  // 2. A login call: the session lives as long as this client's connection.
  const open = await serve({ port: 0 }, (peer) => {
    peer.handle('login', ({ token }: { token: string }, { session }) => {
      const user = users.get(token);
      if (user === undefined) throw new JsonRpcError(4001, 'Unknown token');
      session.user = user;
      return { user };
    });
    peer.handle('secret', (_params, { session }) => {
      if (session.user === undefined) throw new JsonRpcError(4003, 'Log in first');
      return `the secret, for ${String(session.user)}`;
    });
  });
  const client = connect(webSocket(open.url!));
  await show('client -> secret', client.request('secret'));
  await show('client -> login token-bob', client.request('login', { token: 'token-bob' }));
  await show('client -> login token-ada', client.request('login', { token: 'token-ada' }));
  await show('client -> secret', client.request('secret'));

  for (const peer of [anonymous, ada, client]) peer.close();
  await Promise.all([guarded.close(), open.close()]);
  console.log('closed');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
