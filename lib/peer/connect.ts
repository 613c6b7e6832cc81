import { asyncScheduler, firstValueFrom, from, race, timer } from 'rxjs';
import { ConnectionClosedError, HandlerError, type RpcError } from '../protocol/errors';
import type { JsonRpcId, JsonRpcParams } from '../protocol/messages';
import type { Transport } from '../transports/transport';
import { answeringSide } from './answerer/answering-side';
import type { RpcApi, UntypedApi } from './api';
import { createCalls } from './caller/calls';
import { intercept } from './caller/intercept';
import { PeerConnection } from './link/connection';
import { quietGeneric } from './dialect';
import { Deadlines } from './collections/deadlines';
import { Dispatcher } from './incoming/dispatch';
import { asIs } from './link/encode';
import { callFailure } from './link/failures';
import { HandlerRegistry } from './answerer/handlers';
import { IncomingStream } from './incoming/incoming';
import { heartbeatOf, reconnectOf } from './feature-values';
import { sequentialIds } from './caller/ids';
import { NotificationRouter } from './incoming/notifications';
import { peerDefaults, type LenientOptions, type PeerOptions } from './options';
import { Outgoing } from './outgoing';
import type { Handler, Peer } from './peer';
import { PeerObject, type PeerMembers } from './peer-object';
import { PendingCalls } from './caller/pending';
import type { CallContext } from './caller/call';
import { Slots } from './caller/slots';
import { sendTogether } from './link/together';
import { Tracer } from './trace';

/**
 * Creates a peer over `transport` and starts connecting at once. Calls made before the
 * link is open wait for it. Give an `Api` (see `RpcApi`) to have method names, params
 * and results checked by the compiler.
 *
 * @example
 * ```ts
 * import { connect } from 'rx-jsonrpc';
 * import { webSocket } from 'rx-jsonrpc/node';
 *
 * const rpc = connect(webSocket('ws://127.0.0.1:8080'), { timeout: 5_000 });
 * const sum = await rpc.request<number>('math.sum', [1, 2]);
 * rpc.notifications$('chat.message').subscribe((params) => console.log(params));
 * ```
 */
export function connect<Api extends RpcApi = UntypedApi>(transport: Transport, options: PeerOptions = {}): Peer<Api> {
  return connectPeer<Api>(transport, options);
}

/** What a server learns of its peers without subscribing to each one's `state$`. */
export interface PeerHooks {
  /** Called once, as the peer closes, before `state$` says 'closed'. */
  readonly onClosed?: () => void;
  /** Called with each failure of one of its handlers (thrown, rejected, past its deadline), after `errors$`. */
  readonly onHandlerError?: (error: HandlerError) => void;
  /** Called with the id of each request of the other side's that ends with no answer (cancelled, in a dialect that answers none). */
  readonly onUnanswered?: (id: JsonRpcId) => void;
}

/**
 * `connect()` with `hooks`: `serve()` forgets a closed peer through `onClosed`, and hears its
 * handlers fail through `onHandlerError`, which cost nothing per peer where a subscription
 * to `state$` or `errors$` costs about 600 bytes.
 */
export function connectPeer<Api extends RpcApi = UntypedApi>(
  transport: Transport,
  options: PeerOptions,
  hooks: PeerHooks = {},
): Peer<Api> {
  const scheduler = options.scheduler ?? asyncScheduler;
  const session = options.session ?? {};
  // Without a dialect: the generic progress, and no cancel notification unless asked.
  const dialect = options.dialect ?? quietGeneric();
  const textCodec = options.codec;
  // A transport that does not serialize is handed the messages themselves: no codec writes them.
  const codec = transport.serialize === false ? asIs : textCodec;
  const tracer = new Tracer();
  const pending = new PendingCalls();
  const notifications = new NotificationRouter();
  const incoming = new IncomingStream();
  const handlers = new HandlerRegistry();
  const connection = new PeerConnection(transport, scheduler);
  const outgoing = new Outgoing({
    connection,
    tracer,
    pending,
    scheduler,
    batching: options.batching,
    notificationQueue: options.notificationQueue ?? peerDefaults.notificationQueue,
    maxAnswerSize: options.maxAnswerSize ?? peerDefaults.maxAnswerSize,
    maxPendingAnswerBytes: options.maxAnsweringBytes ?? peerDefaults.maxAnsweringBytes,
    codec,
  });
  const notify = (method: string, params?: JsonRpcParams) => outgoing.notify(method, params);
  // One function for every part that reports: a server makes a peer per connection.
  const report = (error: RpcError) => tracer.report(error);

  const { onHandlerError } = hooks;
  // Its parts are made at the first call: most peers are never called.
  const answering = answeringSide(options, handlers, hooks.onUnanswered, () => ({
    peer: () => peer,
    connection: () => connection.info,
    session,
    dialect,
    notify,
    report:
      onHandlerError === undefined
        ? report
        : (error) => {
            report(error);
            if (error instanceof HandlerError) onHandlerError(error);
          },
    scheduler,
  }));

  /**
   * Ends everything once: the error `failure` makes for the waiting calls (made only when
   * some wait: an Error's stack costs, and a server closes a peer per connection and per
   * POST), `cause` for `state$` when not deliberate.
   */
  const shutdown = (failure: () => RpcError, cause?: RpcError, code?: number, reason?: string) => {
    if (connection.isClosed) return;
    hooks.onClosed?.();
    connection.close(failure, cause, code, reason);
    outgoing.outbox.discard();
    pending.failAll((id, method) => callFailure(id, method, failure(), false));
    context.slots?.releaseAll();
    answering.stop();
    notifications.complete();
    incoming.complete();
    tracer.complete();
  };

  /** A link that ended by itself: what was in flight on it fails now; the peer closes unless it reconnects. */
  const dropped = (error: RpcError, reconnecting: boolean): void => {
    if (!reconnecting) return shutdown(() => error, error);
    outgoing.outbox.discard();
    pending.failAll((id, method) => callFailure(id, method, error, true));
    answering.abandon();
  };

  const requestConcurrency = options.requestConcurrency ?? peerDefaults.requestConcurrency;
  const context: CallContext = {
    connection,
    pending,
    timeout: options.timeout ?? peerDefaults.timeout,
    deadlines: new Deadlines(scheduler),
    cancel: options.cancel ?? dialect.cancel,
    slots: requestConcurrency < Infinity ? new Slots(requestConcurrency) : undefined,
    nextId: options.nextId ?? sequentialIds(),
    outbox: outgoing.outbox,
    notify,
    codec,
  };

  const calls = intercept(createCalls(context), options.interceptors);

  const members: PeerMembers = {
    // the calls are untyped; Peer<Api> types them by the API, which is the caller's promise
    request$: calls.request$ as Peer['request$'],
    request: calls.request as Peer['request'],
    notify,
    // one function for both overloads of NotificationsFn: its params are the caller's promise
    notifications$: ((method?: string) =>
      method === undefined ? notifications.all$ : notifications.of(method)) as Peer['notifications$'],
    // a typed handler takes the params its API says; the registry holds untyped ones
    handle: (method, handler, handleOptions) => handlers.register(method, handler as Handler, handleOptions),
    handleAll: (methods, handleOptions) => handlers.registerAll(methods, handleOptions),
    incoming$: incoming.incoming$,
    requests$: answering.requests$,
    foreign$: notifications.foreign$,
    state$: connection.state$,
    trace$: tracer.trace$,
    errors$: tracer.errors$,
    session,
    dialect,
    scheduler,
    timeout: context.timeout,
    report,
    sendTogether: (start) => sendTogether(connection, outgoing.outbox, start),
    close: async ({ code = 1000, reason = '', drain = 0 } = {}) => {
      if (drain > 0 && !connection.isClosed) {
        await firstValueFrom(race(from(answering.idle()), timer(drain, scheduler)));
      }
      let failure: ConnectionClosedError | undefined;
      const closedByUs = () =>
        (failure ??= new ConnectionClosedError(
          `Connection closed by this peer (${code}${reason ? `: ${reason}` : ''})`,
          {
            code,
            reason,
            retryable: false,
          },
        ));
      shutdown(closedByUs, undefined, code, reason);
    },
  };
  // A broadcast's text goes out as it is only on a link that carries text.
  const peer: Peer = new PeerObject(members, { pending, answering }, codec === asIs ? undefined : outgoing);

  const receiver = new Dispatcher({
    pending,
    notifications,
    answering,
    tracer,
    incoming,
    binaryFrames: options.binaryFrames ?? peerDefaults.binaryFrames,
    // Text that comes on such a link (a Connection.send() of the user's) is still read as usual.
    decode: textCodec && ((text) => textCodec.decode(text)),
    maxBatchSize: options.maxBatchSize ?? peerDefaults.maxBatchSize,
    lenient: options.lenient ?? strict,
    link: connection,
    answers: outgoing,
  });
  connection.start({
    receiver,
    onDrop: dropped,
    onProblem: report,
    // Calls written and waiting, heartbeats aside: those a clean-looking end leaves unanswered.
    inFlight: () => pending.inFlight(outgoing.outbox.heldIds()),
    reconnect: reconnectOf(options.reconnect),
    connectTimeout: options.connectTimeout ?? peerDefaults.connectTimeout,
    // Heartbeats skip the concurrency limit: slow calls must not make a live link look dead.
    liveness: heartbeatOf(options.heartbeat, context, scheduler),
  });
  return peer as unknown as Peer<Api>;
}

/** No lenience: one object for every peer that asks for none (its type is read-only). */
const strict: LenientOptions = {};
