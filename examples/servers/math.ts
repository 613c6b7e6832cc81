// A math server: serve() on a free port of 127.0.0.1, its methods registered with
// handleAll() and positional(), and a client calling it, with params of the wrong kind too.
// Run it with `npx tsx examples/servers/math.ts`; it exits by itself.
import { connect, ErrorCodes, JsonRpcError, positional } from 'rx-jsonrpc';
import { serve, webSocket } from 'rx-jsonrpc/node';

/** Checks that every argument is a number: the handlers' own -32602 for values of the wrong type. */
function numbers<T extends unknown[]>(...values: T): { [K in keyof T]: number } {
  if (values.every((value) => typeof value === 'number')) return values as { [K in keyof T]: number };
  throw new JsonRpcError(ErrorCodes.InvalidParams, 'Invalid params', 'expected numbers');
}

async function main(): Promise<void> {
  // Lifetime: setup runs once per client, on that client's own peer.
  const server = await serve({ port: 0 }, (peer) => {
    peer.handleAll({
      math: {
        // [1, 2, 3] calls sum(1, 2, 3); params that are not an array are answered -32602.
        sum: positional((...values: unknown[]) => numbers(...values).reduce((a, b) => a + b, 0)),
        subtract: positional((a: unknown, b: unknown) => {
          const [x, y] = numbers(a, b);
          return x - y;
        }),
      },
    });
  });
  console.log(`math server listening on ${server.url}`);

  const rpc = connect(webSocket(server.url!), { timeout: 5_000 });
  const call = async (method: string, params: unknown[] | Record<string, unknown>) => {
    const shown = `${method} ${JSON.stringify(params)}`;
    try {
      console.log(`${shown} = ${JSON.stringify(await rpc.request(method, params))}`);
    } catch (error) {
      if (!(error instanceof JsonRpcError)) throw error;
      const data = error.data === undefined ? '' : ` (${JSON.stringify(error.data)})`;
      console.log(`${shown} -> ${error.message}${data}`);
    }
  };

  await call('math.sum', [1, 2, 3]);
  await call('math.subtract', [42, 23]);
  await call('math.sum', { a: 1, b: 2 }); // named params: positional() refuses them
  await call('math.subtract', [10, 'four']); // an array, but not of numbers
  await call('math.divide', [1, 2]); // not served: -32601

  rpc.close();
  await server.close();
  console.log('closed');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
