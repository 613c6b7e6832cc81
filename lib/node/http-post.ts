import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { HandlerError, messageOf, TransportError, type RpcError } from '../protocol/errors';
import { connect } from '../peer/connect';
import type { Peer } from '../peer/peer';
import { isJsonContentType, readBody } from './http-body';
import { oneShotLink } from './http-link';
import { reply } from './http-reply';
import { authenticated, shown, type AdmissionSetup } from './serve-admission';
import { serveDefaults, type JsonRpcServer, type ServeOptions, type SetupPeer } from './serve-options';
import { upgradeInfo, type ServerConnectionInfo } from './upgrade-info';

/** What answering a POST needs from its server. */
export interface PostSetup {
  /** The limits of a body, and the options of each POST's peer. */
  readonly options: Pick<ServeOptions, 'maxPayload' | 'peer'>;
  /** Whether the server closes, `authenticate`, and where failures are reported. */
  readonly admission: AdmissionSetup;
  /** The user's setup of each peer (untyped here: it gets the peer it was typed for). */
  readonly setup: SetupPeer<never>;
  /** A fresh copy of the session template. */
  readonly newSession: () => Record<string, unknown>;
  /** The server, handed to `setup`. */
  readonly server: () => JsonRpcServer;
}

/** What a POST waits for before its peer is made: a turn of the event loop with room (see `turnSlots`). */
export type TakeTurn = () => Promise<void> | undefined;

/** A POST being answered, as its server's `close()` sees it. */
export interface PostInFlight {
  /**
   * Answers it now with 503 if it has no peer yet; otherwise lets its peer finish its calls
   * for `drain` ms. Resolves once it is answered. Never rejects.
   */
  stop(drain: number): Promise<void>;
  /** Resolves once it is answered, or its client has gone. Never rejects. */
  readonly done: Promise<void>;
}

// The longest a timer can wait: how long a POST's peer may take to answer (handlerTimeout bounds it).
const untilAnswered = 2_147_483_647;

/**
 * Answers one POST, whose origin was allowed, with a peer of its own: checks its
 * Content-Type (415) and `authenticate` (401, 500), reads its body within `maxPayload`
 * (413), runs `setup` on a new peer, hands it the body as its one frame, and answers with
 * its answer frame (200), or 204 when the body held notifications only. The peer closes
 * once it has answered (a client that goes away closes it at once, aborting its handlers).
 * Total: whatever fails is reported and answered 500.
 */
export function answerPost(
  request: IncomingMessage,
  response: ServerResponse,
  headers: OutgoingHttpHeaders,
  context: PostSetup,
  turn: TakeTurn,
): PostInFlight {
  const { admission, options } = context;
  const report = (error: RpcError) => admission.report(error);
  let peer: Peer | undefined;
  let stopped = false;
  // A function: the flag changes while answer() awaits, which narrowing cannot see.
  const isStopped = () => stopped;
  const post = `the POST from ${String(request.socket.remoteAddress)} to ${shown(request.url)}`;
  response.once('close', () => {
    // The client went away before its answer: its calls are abandoned (their signals abort).
    if (!response.writableFinished) void peer?.close({ code: 1001, reason: 'Client gone' });
  });

  /** Reads and checks the body: its text, or what the POST was answered (undefined when it is not). */
  const admitted = async (): Promise<readonly [string, Record<string, unknown>] | undefined> => {
    if (!isJsonContentType(request.headers['content-type'])) {
      reply(response, 415, headers, { close: true });
      return undefined;
    }
    const session = await authenticated(request, admission);
    if (typeof session === 'number') {
      reply(response, session, headers, { close: true });
      return undefined;
    }
    const maxPayload = options.maxPayload ?? serveDefaults.maxPayload;
    const body = await readBody(request, maxPayload);
    if (body === 'consumed') {
      report(new TransportError(`Could not answer ${post}: its body was read before (by a body parser?)`));
      reply(response, 500, headers);
    } else if (body === 413) {
      const text = `Payload Too Large: the body is over ${maxPayload} bytes`;
      reply(response, 413, headers, { text, close: true });
    } else if (body !== 'gone') {
      if (!isStopped()) return [body.text, session];
      reply(response, 503, headers, { close: true });
    }
    return undefined;
  };

  const answer = async (): Promise<void> => {
    const admittedBody = await admitted();
    if (admittedBody === undefined) return;
    const [body, session] = admittedBody;
    await turn();
    if (isStopped() || response.destroyed) {
      reply(response, 503, headers, { close: true });
      return;
    }
    const info: ServerConnectionInfo = { transport: 'http', ...upgradeInfo(request) };
    const link = oneShotLink(info, body, report);
    const own = connect(link.transport, {
      handlerTimeout: serveDefaults.handlerTimeout,
      ...options.peer,
      // One frame in, one out: no reconnecting, no heartbeat calls, nothing to batch; the
      // link opens as it is asked to, so it needs no connect timer either.
      reconnect: false,
      connectTimeout: 0,
      heartbeat: undefined,
      batching: false,
      session: { ...context.newSession(), ...session },
    });
    peer = own;
    try {
      // Typed to return void so that any function fits; an async one returns a promise to wait for.
      // eslint-disable-next-line @typescript-eslint/no-confusing-void-expression
      const ready: unknown = context.setup(own, info, context.server());
      // Handlers an async setup registers must be there before the body is dispatched.
      if (isThenable(ready)) await ready;
    } catch (cause) {
      report(new HandlerError(`setup() failed for ${post}: ${messageOf(cause)}`, { cause }));
      await own.close({ code: 1011, reason: 'Internal error' });
      reply(response, 500, headers);
      return;
    }
    link.deliver();
    // Resolves once every call of the body is answered, or given up (client gone, server closed).
    await own.close(own.answeringCount > 0 ? { drain: untilAnswered } : {});
    const json = link.answer;
    // Once the server is closing, no connection is kept alive for another request.
    if (json !== undefined) reply(response, 200, headers, { json, close: isStopped() });
    else reply(response, isStopped() ? 503 : 204, headers, { close: isStopped() });
  };

  const done = answer().catch((cause: unknown) => {
    report(new TransportError(`Could not answer ${post}: ${messageOf(cause)}`, { cause }));
    reply(response, 500, headers, { close: true });
  });
  return {
    done,
    stop: async (drain) => {
      stopped = true;
      // Still reading or authenticating: nothing ran yet, and a slow client must not hold the close.
      if (peer === undefined) {
        reply(response, 503, headers, { close: true });
        return;
      }
      await peer.close({ drain, code: 1001, reason: 'Server shutting down' });
      await done;
    },
  };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  // reading `then` of any value is how a thenable is told; undefined otherwise
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}
