import { randomUUID } from 'node:crypto';
import { messageOf, ProtocolError, TransportError, type RpcError } from '../protocol/errors';
import type { JsonRpcParams } from '../protocol/messages';
import type { Codec } from '../peer/options';
import type { Peer } from '../peer/peer';
import type { Backplane } from './backplane';
import { envelope, openEnvelope } from './broadcast-envelope';
import { Groups } from './serve-groups';
import { notificationFrame, notifyEach } from './serve-notify-all';

/** What a {@link broadcaster} needs from its server. */
export interface BroadcastSetup {
  /** The server's connected peers. */
  readonly peers: ReadonlySet<Peer>;
  readonly report: (error: RpcError) => void;
  /** The peers' codec. */
  readonly codec: Codec | undefined;
  /** Carries broadcasts to the other processes; without it they stay in this one. */
  readonly backplane: Backplane | undefined;
}

/** A server's broadcasts: to all its clients or a group's, in every process of the backplane. */
export interface Broadcaster {
  // Function-typed members: the server hands them out as its own.
  readonly notifyAll: (method: string, params?: JsonRpcParams) => void;
  readonly notifyGroup: (group: string, method: string, params?: JsonRpcParams) => void;
  readonly join: (peer: Peer, group: string) => boolean;
  readonly leave: (peer: Peer, group: string) => void;
  /** Starts listening to the backplane (nothing without one); rejects when it cannot. */
  listen(): Promise<void>;
  /** Stops listening and publishing: broadcasts from now on stay in this process. */
  close(): Promise<void>;
}

/**
 * Publishes a broadcast for the other processes, which deliver it to their clients, and
 * delivers it to this process's clients at once; a server skips what it published itself, so each
 * client hears a broadcast once. Publishing in call order over one channel keeps each
 * sender's broadcasts in order everywhere.
 */
export function broadcaster(setup: BroadcastSetup): Broadcaster {
  const { peers, report, codec, backplane } = setup;
  const self = randomUUID();
  const groups = new Groups();
  let closed = false;
  const deliver = (group: string | undefined, frame: string, method: string, params: JsonRpcParams | undefined) =>
    notifyEach(group === undefined ? peers : groups.of(group), report, frame, method, params);

  const send = (group: string | undefined, method: string, params: JsonRpcParams | undefined) => {
    // Throws for a bad method or params before anything is sent anywhere.
    const frame = notificationFrame(method, params, codec);
    // Published first: the other processes' clients do not wait for this one's sends.
    if (!closed && backplane !== undefined) publish(backplane, envelope(self, group, frame), group, method);
    deliver(group, frame, method, params);
  };

  const publish = (to: Backplane, text: string, group: string | undefined, method: string) => {
    const failed = (cause: unknown) => {
      const whom = group === undefined ? 'clients' : `clients in ${group}`;
      report(
        new TransportError(`Broadcast (${method}) may have reached only this process's ${whom}: ${messageOf(cause)}`, {
          cause,
        }),
      );
    };
    try {
      // Promise.resolve: a backplane of the user's that returns no promise has not failed.
      Promise.resolve(to.publish(text)).catch(failed);
    } catch (cause) {
      // A backplane of the user's may throw instead of rejecting: this process's clients still hear it.
      failed(cause);
    }
  };

  const receive = (text: string) => {
    try {
      const broadcast = openEnvelope(text, codec, self);
      if (broadcast === undefined) return;
      const { method, params } = broadcast.notification;
      // Written again, once, with this server's codec: not the text another process sent.
      deliver(broadcast.group, notificationFrame(method, params, codec), method, params);
    } catch (cause) {
      report(new ProtocolError(`A broadcast from the backplane was not delivered: ${messageOf(cause)}`, { cause }));
    }
  };

  return {
    notifyAll: (method, params) => send(undefined, method, params),
    notifyGroup: (group, method, params) => send(checkGroup(group), method, params),
    join: (peer, group) => {
      checkGroup(group);
      // A closed peer, or an HTTP POST's, cannot be notified.
      if (!peers.has(peer)) return false;
      groups.join(peer, group);
      return true;
    },
    leave: (peer, group) => groups.leave(peer, group),
    listen: async () =>
      backplane?.listen({
        message: receive,
        error: (cause) => report(new TransportError(`The backplane failed: ${messageOf(cause)}`, { cause })),
      }),
    close: async () => {
      closed = true;
      await backplane?.close();
    },
  };
}

function checkGroup(group: unknown): string {
  if (typeof group !== 'string' || group === '')
    throw new TypeError(`A group name must be a non-empty string, got ${String(group)}`);
  return group;
}
