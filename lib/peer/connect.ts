import { asyncScheduler, firstValueFrom, from, race, timer } from 'rxjs';
import { ErrorCodes } from '../protocol/error-codes';
import { ConnectionClosedError, ProtocolError, TransportError, type RpcError } from '../protocol/errors';
import type { JsonRpcParams } from '../protocol/messages';
import type { FrameEnded, Transport } from '../transports/transport';
import { Answering, errorAnswer, type Answer } from './answer';
import type { RpcApi, UntypedApi } from './api';
import { batch$, batchBuilder, type BatchContext } from './batch';
import { PeerConnection, type Queued } from './connection';
import { heartbeat$ } from './heartbeat';
import { createDispatcher } from './dispatch';
import { callMessage, checkCall, encode } from './encode';
import { callFailure } from './failures';
import { HandlerRegistry, type Handler } from './handlers';
import { sequentialIds } from './ids';
import { NotificationRouter } from './notifications';
import { peerDefaults, type PeerOptions } from './options';
import type { Peer } from './peer';
import { batchingOptions, Outbox } from './outbox';
import { PendingCalls } from './pending';
import { createProxy } from './proxy';
import { reconnectPolicy } from './reconnect';
import { peerClosed, request$, type CallContext } from './request';
import { subscription$, type SubscriptionContext } from './subscription';
import { SubscriptionRouter } from './subscription-router';
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
  const scheduler = options.scheduler ?? asyncScheduler;
  const session = options.session ?? {};
  const tracer = new Tracer();
  const pending = new PendingCalls();
  const notifications = new NotificationRouter();
  const handlers = new HandlerRegistry();
  const connection = new PeerConnection(transport);
  const answering = new Answering({
    handlers,
    contextFor: (method, id) => ({ peer, method, id, connection: connection.info, session }),
    report: (error) => tracer.report(error),
    handlerTimeout: options.handlerTimeout ?? peerDefaults.handlerTimeout,
    scheduler,
  });

  const send = (frame: string, ended?: FrameEnded) => {
    tracer.outgoing(frame);
    return connection.write(frame, ended);
  };

  const outbox = new Outbox(send, (ids) => pending.markBatch(ids), batchingOptions(options.batching), scheduler);
  const report = (error: unknown) => tracer.report(error as RpcError);
  const reportFailure: FrameEnded = (error) => error && report(error);

  /** Sends a notification through the outbox; a failure is reported, as nobody waits for it. */
  const sendNotification = (frame: string) => {
    try {
      outbox.send(frame, undefined, reportFailure);
    } catch (error) {
      report(error);
    }
  };

  const sendReporting = (frame: string) => {
    try {
      send(frame);
    } catch (error) {
      tracer.report(error as RpcError);
    }
  };

  const encodeAnswer = (answer: Answer): string => {
    try {
      return encode(answer, `Answer to request ${String(answer.id)}`);
    } catch (error) {
      tracer.report(error as ProtocolError);
      return JSON.stringify(errorAnswer(answer.id, ErrorCodes.InternalError, 'Internal error'));
    }
  };

  const reply = (answers: Answer | Answer[], generation: number) => {
    // An answer owed on a link that has since dropped has no one to go to.
    if (!connection.isOpen || connection.generation !== generation) return;
    sendReporting(Array.isArray(answers) ? `[${answers.map(encodeAnswer).join(',')}]` : encodeAnswer(answers));
  };

  const notificationQueueLimit = options.notificationQueue ?? peerDefaults.notificationQueue;
  /** Notifications waiting for the link, oldest first, with how to take each out of the queue. */
  const queuedNotifications = new Map<Queued, () => void>();

  const notify = (method: string, params?: JsonRpcParams) => {
    const problem = checkCall(method, params);
    if (problem !== undefined) throw new ProtocolError(`Notification (${String(method)}) not sent: ${problem}`);
    if (connection.isClosed) throw peerClosed(`Notification (${method})`);
    const frame = encode(callMessage(method, params), `Notification (${method})`);
    if (connection.isOpen) return sendNotification(frame);
    if (queuedNotifications.size >= notificationQueueLimit) {
      const oldest = queuedNotifications.keys().next().value;
      if (oldest === undefined) {
        return tracer.report(new TransportError(`Notification (${method}) dropped: the link is down`));
      }
      queuedNotifications.get(oldest)!();
      queuedNotifications.delete(oldest);
      tracer.report(new TransportError(`A queued notification was dropped: more than ${notificationQueueLimit} wait`));
    }
    const entry: Queued = {
      send: () => {
        queuedNotifications.delete(entry);
        sendNotification(frame);
      },
      fail: () => queuedNotifications.delete(entry),
    };
    queuedNotifications.set(entry, connection.enqueue(entry));
  };

  /** Ends everything once: `failure` for the waiting calls, `cause` for `state$` when not deliberate. */
  const shutdown = (failure: RpcError, cause?: RpcError, code?: number, reason?: string) => {
    if (connection.isClosed) return;
    connection.close(failure, cause, code, reason);
    pending.failAll((id, method) => callFailure(id, method, failure, false));
    answering.stop();
    notifications.complete();
    tracer.complete();
  };

  const dispatch = createDispatcher({
    pending,
    notifications,
    answering,
    tracer,
    binaryFrames: options.binaryFrames ?? peerDefaults.binaryFrames,
    maxBatchSize: options.maxBatchSize ?? peerDefaults.maxBatchSize,
    generation: () => connection.generation,
    reply,
  });

  /** A link that ended by itself: what was in flight on it fails now; the peer closes unless it reconnects. */
  const dropped = (error: RpcError, reconnecting: boolean) => {
    if (!reconnecting) return shutdown(error, error);
    pending.failAll((id, method) => callFailure(id, method, error, true));
    answering.abandon();
  };

  const context: CallContext = {
    connection,
    pending,
    timeout: options.timeout ?? peerDefaults.timeout,
    scheduler,
    cancel: options.cancel,
    nextId: options.nextId ?? sequentialIds(),
    outbox,
    notify,
  };

  const routers = new Map<string, SubscriptionRouter>();
  const subscriptions: SubscriptionContext = {
    request$: (method, params) => request$(context, method, params),
    state$: connection.state$,
    router: (notification, subscriptionId) => {
      let router = routers.get(notification);
      if (router === undefined) {
        const created = new SubscriptionRouter(notifications.of(notification), subscriptionId, () => {
          if (routers.get(notification) === created) routers.delete(notification);
        });
        routers.set(notification, created);
        router = created;
      }
      return router;
    },
    generation: () => connection.generation,
    isCurrent: (generation) => connection.isOpen && connection.generation === generation,
  };

  const batches: BatchContext = {
    connection,
    outbox,
    request$: (method, params, callOptions) => request$(context, method, params, callOptions),
    notify,
  };

  const peer: Peer = {
    request$: (method, params, callOptions) => request$(context, method, params, callOptions),
    request: (method, params, callOptions) => firstValueFrom(request$(context, method, params, callOptions)),
    notify,
    notifications$: ((method?: string) =>
      method === undefined ? notifications.all$ : notifications.of(method)) as Peer['notifications$'],
    batch$: (build, batchOptions) => batch$(batches, build(batchBuilder as never), batchOptions),
    batch: (build, batchOptions) => firstValueFrom(batch$(batches, build(batchBuilder as never), batchOptions)),
    subscription$: (method, params, subscriptionOptions) =>
      subscription$(subscriptions, method, params, subscriptionOptions),
    handle: (method, handler, handleOptions) => {
      const registration = handlers.register(method, handler as Handler, handleOptions);
      warnIfOneWay();
      return registration;
    },
    proxy: createProxy(
      { request$: (method, params) => request$(context, method, params), notify },
      options.proxySeparator,
    ) as Peer['proxy'],
    handleAll: (methods, handleOptions) => {
      const registration = handlers.registerAll(methods, handleOptions);
      warnIfOneWay();
      return registration;
    },
    requests$: answering.requests$,
    state$: connection.state$,
    trace$: tracer.trace$,
    errors$: tracer.errors$,
    session,
    get pendingCount() {
      return pending.size;
    },
    get answeringCount() {
      return answering.answering;
    },
    close: async ({ code = 1000, reason = '', drain = 0 } = {}) => {
      if (drain > 0 && !connection.isClosed) {
        await firstValueFrom(race(from(answering.idle()), timer(drain, scheduler)));
      }
      const suffix = reason ? `: ${reason}` : '';
      const failure = new ConnectionClosedError(`Connection closed by this peer (${code}${suffix})`, {
        code,
        reason,
        retryable: false,
      });
      shutdown(failure, undefined, code, reason);
    },
  };
  /** Handlers on a link that carries no calls to this side (HTTP) would wait forever: say so. */
  const warnIfOneWay = () => {
    const methods = handlers.methods;
    if (connection.info?.duplex !== false || methods.length === 0) return;
    tracer.report(
      new TransportError(
        `The ${connection.info.transport} transport carries no calls to this side: handlers of ${methods.join(', ')} will never run`,
      ),
    );
  };
  connection.state$.subscribe((state) => state.status === 'open' && warnIfOneWay());

  const heartbeat = options.heartbeat;
  connection.start({
    onFrame: dispatch,
    onDrop: dropped,
    onProblem: (error) => tracer.report(error),
    policy: reconnectPolicy(options.reconnect),
    liveness:
      heartbeat === undefined
        ? undefined
        : () =>
            heartbeat$(
              heartbeat,
              (method, params, callOptions) => peer.request$(method, params, callOptions),
              scheduler,
            ),
  });
  return peer as unknown as Peer<Api>;
}
