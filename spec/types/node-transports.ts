// Compile-time tests of the Node transports' signatures: `npm run typecheck` fails if one regresses.
// Each `@ts-expect-error` must stay an error; each plain line must stay legal.
import { contentLength, spawnProcess, stream, tcp } from 'rx-jsonrpc/node';

declare function use<T>(value: T): void;

// tcp(): one object, the address and the options together
use(tcp({ host: '127.0.0.1', port: 7000, framing: 'newline' }));
use(tcp({ path: '/run/daemon.sock', framing: contentLength(), highWaterMark: 65_536 }));
use(tcp({ port: 7000 }));
// @ts-expect-error the framing in a second argument, as docs/transports.md once showed it
use(tcp({ host: '127.0.0.1', port: 7000 }, { framing: 'newline' }));
// @ts-expect-error the same with a Unix socket path
use(tcp({ path: '/run/daemon.sock' }, { framing: 'newline' }));
// @ts-expect-error no address
use(tcp({ framing: 'newline' }));

// stream(): one object as well
use(stream({ readable: process.stdin, writable: process.stdout, framing: 'newline' }));
// @ts-expect-error the framing in a second argument
use(stream({ readable: process.stdin, writable: process.stdout }, { framing: 'newline' }));

// spawnProcess(): command, arguments, options
use(spawnProcess('typescript-language-server', ['--stdio'], { framing: 'content-length', stderr: 'ignore' }));
// @ts-expect-error the options in place of the arguments
use(spawnProcess('mcp-server', { framing: 'newline' }));
