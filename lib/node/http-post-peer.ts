import { ProtocolError, type RpcError } from '../protocol/errors';
import { connectPeer } from '../peer/connect';
import type { HandlerRegistry } from '../peer/answerer/handlers';
import type { CloseOptions, PeerOptions } from '../peer/options';
import type { EventStreamAnswer } from './http-event-stream';
import { oneShotLink } from './http-link';
import { setUpPeer, type SetupWait } from './http-setup-wait';
import { serveDefaults, type JsonRpcServer, type ServeOptions, type SetupPeer } from './serve-options';
import { linkInfoOf, type ServerConnectionInfo } from './upgrade-info';

/** What a POST's peer is made from. */
export interface PostPeerSetup {
  /** The options of each POST's peer. */
  readonly options: Pick<ServeOptions, 'peer'>;
  /** The user's setup of each peer (untyped here: it gets the peer it was typed for). */
  readonly setup: SetupPeer<never>;
  /** A fresh copy of the session template. */
  readonly newSession: () => Record<string, unknown>;
  /** The server, handed to `setup`. */
  readonly server: () => JsonRpcServer;
  /** Reports a failure on the server's `errors$`. */
  readonly report: (error: RpcError) => void;
  /** The server's methods, served by every peer after its own; undefined when `setup` registers them. */
  readonly methods?: HandlerRegistry;
}

/**
 * How a POST's peer answered: its answer frame; 'none' when the body held notifications
 * only; a ProtocolError when it held nothing to answer and something the peer reported (a
 * JSON-RPC response: no call of the server's waits on a POST); 500 when setup failed (or
 * did not settle in time: reported); 'interrupted' when the wait for setup was ended.
 */
export type PeerOutcome = { readonly json: string } | 'none' | ProtocolError | 500 | 'interrupted';

/** A POST being answered; see {@link runPostPeer}. */
export interface PostRun {
  /** Resolves once the body is answered (or given up). Never rejects. */
  readonly outcome: Promise<PeerOutcome>;
  /** Ends a wait for setup `afterMs` from now; returns whether one was pending. */
  interrupt(afterMs: number): boolean;
  /** Gives up its calls; with `drain`, once they are answered or that many ms have passed. */
  close(options: CloseOptions): Promise<void>;
}

/**
 * The options of a peer over HTTP (a POST's, a session's): `serve()`'s peer options with its
 * `handlerTimeout`, the session template's copy under `seed`, and no reconnecting, heartbeat
 * calls or connect timer: the link opens as it is asked to, and the client reconnects, not the server.
 */
export function httpPeerOptions(
  context: Pick<PostPeerSetup, 'options' | 'newSession'>,
  seed: Record<string, unknown>,
): PeerOptions {
  return { ...httpOptions(context.options), session: { ...context.newSession(), ...seed } };
}

/** {@link httpPeerOptions} but the session, with no batching (one frame in, one out): made once for each server's options. */
export function postPeerOptions(options: Pick<ServeOptions, 'peer'>): PeerOptions {
  let made = postOptions.get(options);
  if (made === undefined) {
    made = { ...httpOptions(options), batching: false };
    postOptions.set(options, made);
  }
  return made;
}

const postOptions = new WeakMap<object, PeerOptions>();

function httpOptions(options: Pick<ServeOptions, 'peer'>): PeerOptions {
  return {
    handlerTimeout: serveDefaults.handlerTimeout,
    ...options.peer,
    reconnect: false,
    connectTimeout: 0,
    heartbeat: undefined,
  };
}

// The longest a timer can wait: how long a POST's peer may take to answer (handlerTimeout bounds it).
const untilAnswered = 2_147_483_647;

/**
 * Makes a POST's peer over a one-shot link, runs `setup` on it (waiting for a promise it
 * returns, within the peer's `handlerTimeout`), hands it the body as its one frame, and
 * closes it once it has answered. `proceed()` says, once setup is done, whether the body
 * may still be dispatched (the server is not closing, the client is still there). With a
 * `stream`, the notifications its handlers send before the answer go out on it.
 */
export function runPostPeer(
  context: PostPeerSetup,
  info: ServerConnectionInfo,
  body: string,
  session: Record<string, unknown>,
  post: () => string,
  proceed: () => boolean,
  stream?: EventStreamAnswer,
): PostRun {
  const { options, report } = context;
  const link = oneShotLink(linkInfoOf(info), body, report, stream);
  const handlerTimeout = options.peer?.handlerTimeout ?? serveDefaults.handlerTimeout;
  // One frame in, one out: nothing to batch either.
  // One options object for every POST of the server; the POST's session comes in its hooks.
  const peer = connectPeer(link.transport, postPeerOptions(options), {
    onHandlerError: report,
    session: { ...context.newSession(), ...session },
    methods: context.methods,
  });
  let wait: SetupWait | undefined;

  const run = async (): Promise<PeerOutcome> => {
    // Typed to return void so that any function fits; an async one returns a promise to wait for.
    const setup = (): unknown => context.setup(peer, info, context.server());
    const setting = setUpPeer(setup, peer, handlerTimeout, post, report, (current) => (wait = current));
    // An await only for an async setup: a sync one's body is dispatched in this turn, as it always was.
    const set = setting === 'ready' ? setting : await setting;
    if (set === 500) return 500;
    if (set === 'interrupted' || !proceed()) return closed('interrupted');
    // What the peer reports while it dispatches the body (synchronously): a response, say.
    const reported: ProtocolError[] = [];
    const listening = peer.errors$.subscribe((error) => error instanceof ProtocolError && reported.push(error));
    link.deliver();
    listening.unsubscribe();
    // Resolves once every call of the body is answered, or given up (client gone, server closed).
    await peer.close(peer.answeringCount > 0 ? { drain: untilAnswered } : {});
    const json = link.answer;
    if (json !== undefined) return { json };
    return reported[0] ?? 'none';
  };

  const closed = async (outcome: 'interrupted'): Promise<'interrupted'> => {
    await peer.close({ code: 1001, reason: 'Server shutting down' });
    return outcome;
  };

  const outcome = run();
  return {
    outcome,
    close: (closing) => peer.close(closing),
    interrupt: (afterMs) => {
      wait?.interrupt(afterMs);
      return wait !== undefined;
    },
  };
}
