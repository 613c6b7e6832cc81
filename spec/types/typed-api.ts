// Compile-time tests of the typed API: `npm run typecheck` fails if the typing regresses.
// Each `@ts-expect-error` must stay an error; each plain line must stay legal.
import type { Observable } from 'rxjs';
import { batch$, connect, createProxy, memoryPair, type Peer, type Reversed, type Settled } from 'rx-jsonrpc';

interface User {
  readonly id: number;
  readonly name: string;
}

interface ShopApi {
  calls: {
    'math.sum': (params: [number, number]) => number;
    'user.get': (params: { id: number }) => User;
    'user.find': (params?: { name?: string }) => User[];
    ping: () => 'pong';
    'order.place': (params: { item: string }) => Promise<string>;
  };
  serves: { 'ui.confirm': (params: { text: string }) => boolean };
  receives: { 'chat.message': { from: string; text: string }; tick: undefined };
  sends: { typing: [room: string]; idle: undefined };
}

declare function use<T>(value: T): void;
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
declare function assertType<T extends true>(): void;

const link = memoryPair();
const rpc = connect<ShopApi>(link.client);

// request$ and request: names, params and results
const sum$ = rpc.request$('math.sum', [1, 2]);
assertType<Equal<typeof sum$, Observable<number>>>();
const user = rpc.request('user.get', { id: 7 });
assertType<Equal<typeof user, Promise<User>>>();
const placed = rpc.request('order.place', { item: 'tea' }, { timeout: 5_000 });
assertType<Equal<typeof placed, Promise<string>>>();
use(rpc.request$('ping'));
use(rpc.request$('user.find'));
use(rpc.request$('user.find', { name: 'ada' }));
// @ts-expect-error an unknown method
use(rpc.request$('math.product', [1, 2]));
// @ts-expect-error params of the wrong shape
use(rpc.request$('math.sum', ['1', '2']));
// @ts-expect-error missing params
use(rpc.request$('user.get'));
// @ts-expect-error params for a method that takes none
use(rpc.request$('ping', [1]));

// notify
rpc.notify('typing', ['lobby']);
rpc.notify('idle');
// @ts-expect-error an unknown notification
rpc.notify('shout', ['x']);
// @ts-expect-error wrong params
rpc.notify('typing', [1]);

// notifications$
const messages$ = rpc.notifications$('chat.message');
assertType<Equal<typeof messages$, Observable<{ from: string; text: string }>>>();
use(rpc.notifications$());
// @ts-expect-error a notification this peer does not receive
use(rpc.notifications$('chat.typing'));

// handle
rpc.handle('ui.confirm', ({ text }) => text.length > 0);
rpc.handle('ui.confirm', async ({ text }) => text === 'yes');
// @ts-expect-error a method this peer does not serve
rpc.handle('ui.prompt', () => 'x');
// @ts-expect-error a result of the wrong type
rpc.handle('ui.confirm', () => 'yes');

// The server's side, derived from the client's API
const server = connect<Reversed<ShopApi>>(link.server);
server.handle('math.sum', ([a, b]) => a + b);
server.handle('user.get', ({ id }) => ({ id, name: 'ada' }));
server.notify('chat.message', { from: 'ada', text: 'hi' });
use(server.request('ui.confirm', { text: 'ok?' }));
// @ts-expect-error the server does not call its own methods
use(server.request('math.sum', [1, 2]));

// An untyped peer stays possible, with explicit result types
const untyped: Peer = connect(link.client);
const anything$ = untyped.request$<number>('whatever', [1]);
assertType<Equal<typeof anything$, Observable<number>>>();
untyped.notify('anything', { at: 'all' });
untyped.handle('whatever', ([a]: number[]) => a);
const params$ = untyped.notifications$<{ n: number }>('tick');
assertType<Equal<typeof params$, Observable<{ n: number }>>>();

// batch$: members typed by the API, results typed per member
const sums$ = batch$(rpc, (b) => [b.request('math.sum', [1, 2]), b.request('user.get', { id: 1 }), b.notify('idle')]);
type Results = typeof sums$ extends Observable<infer R> ? R : never;
assertType<Equal<Results[0], Settled<number>>>();
assertType<Equal<Results[1], Settled<User>>>();
assertType<Equal<Results[2], Settled<undefined>>>();
const [firstMember$] = sums$.members;
assertType<Equal<typeof firstMember$, Observable<number>>>();
// @ts-expect-error an unknown method in a batch
use(batch$(rpc, (b) => [b.request('nope')]));
// @ts-expect-error wrong params in a batch
use(batch$(rpc, (b) => [b.request('math.sum', 'x')]));

// proxy: typed by the calls, nested by the dots
interface NestedApi {
  calls: {
    'app.users.get': (params: [id: number]) => User;
    'app.users.find': (params: { name: string }) => User[];
    'app.version': () => string;
    ping: () => 'pong';
  };
}
const nested = connect<NestedApi>(link.client);
const got$ = createProxy(nested).app.users.get(7);
assertType<Equal<typeof got$, Observable<User>>>();
const found$ = createProxy(nested).app.users.find({ name: 'ada' });
assertType<Equal<typeof found$, Observable<User[]>>>();
const version$ = createProxy(nested).app.version();
assertType<Equal<typeof version$, Observable<string>>>();
use(createProxy(nested).ping());
use(createProxy(nested).app.users.get.$call([7]));
createProxy(nested).app.users.get.$notify(7);
// @ts-expect-error an unknown method through the proxy
use(createProxy(nested).app.users.remove(7));
// @ts-expect-error wrong arguments through the proxy
use(createProxy(nested).app.users.get('7'));
// @ts-expect-error named params where positional are expected
use(createProxy(nested).app.users.get({ id: 7 }));

// Reversed keeps a part left out untyped on the other side too
interface CallsOnly {
  calls: { ping: () => 'pong' };
}
const reversed = connect<Reversed<CallsOnly>>(link.server);
reversed.handle('ping', () => 'pong' as const);
reversed.notify('anything', [1]);
// @ts-expect-error the reversed side serves only what the other calls
reversed.handle('pong', () => 'x');
