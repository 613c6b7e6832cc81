import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import type { Peer } from '../peer/peer';
import { sessionLink, type SessionLink } from './http-session-link';
import { sessionDefaults, type HttpSessionOptions } from './http-session-options';
import { sessionPeer, type SessionPeerSetup } from './http-session-peer';
import { linkInfoOf, type ServerConnectionInfo } from './upgrade-info';

/** One open session. */
export interface HttpSession {
  readonly id: string;
  readonly peer: Peer;
  readonly link: SessionLink;
  /**
   * Calls `listener` once its peer has closed (the session has ended; at once if it has);
   * returns what takes it back. Not a promise: a reaction to one that settles only at the
   * session's end would stay, with what it holds, for each POST of a session that lasts.
   */
  onEnd(listener: () => void): () => void;
  /** What `authenticate` returned for the request that opened it ({} without one). */
  readonly identity: Record<string, unknown>;
  /** Marks it busy (a POST in flight) until the returned function is called. */
  hold(): () => void;
  /** Marks its standing stream open until the returned function is called; undefined when one is open already. */
  stand(): (() => void) | undefined;
}

/** The open sessions of a server; see {@link sessionTable}. */
export interface SessionTable {
  /** The header's name, lower case. */
  readonly header: string;
  readonly opener: string | undefined;
  /** How often, in ms, a standing stream sends a keepalive comment; 0 for never. */
  readonly keepAlive: number;
  /** The session a request names; 'new' when it names none (and there is room for one); 404 for an id unknown (or ended); 503 when full. */
  find(request: IncomingMessage): HttpSession | 'new' | 404 | 503;
  /** Opens a session (its setup run); 503 when full meanwhile, 500 when setup failed (reported). Never rejects. */
  open(info: ServerConnectionInfo, seed: Record<string, unknown>, post: () => string): Promise<HttpSession | 500 | 503>;
  /** Ends a session now (its peer closes with 1000). */
  end(session: HttpSession): void;
  /** Ends every session, letting each peer finish its calls for `drain` ms. */
  close(drain: number): Promise<void>;
}

/**
 * Whether a request whose `authenticate` returned `identity` may use `session`: the same
 * result as the request that opened it, compared deeply (`util.isDeepStrictEqual`). Another
 * identity is told the session does not exist (404), as for an id never issued.
 */
export function isSessionOf(session: HttpSession, identity: Record<string, unknown>): boolean {
  // Both as copies: a copy's prototypes are the plain ones, whatever the result's were.
  return isDeepStrictEqual(session.identity, snapshot(identity));
}

/**
 * A copy of an `authenticate` result to compare later ones with: what the session's peer is
 * given shares its nested objects, which a handler may change. A result that cannot be
 * cloned (a function in it) is kept as it is, and compared as it is.
 */
function snapshot(identity: Record<string, unknown>): Record<string, unknown> {
  try {
    return structuredClone(identity);
  } catch {
    return identity;
  }
}

/** A session as its table sees it: since when it has been idle with only its standing stream open. */
interface Entry {
  readonly session: HttpSession;
  /** When its last request ended, while its standing stream is open and no request is in flight; undefined otherwise. */
  readonly standingIdleSince: () => number | undefined;
}

/**
 * The sessions of a server in one `Map` by id. Only opened sessions take memory: an
 * unknown id is looked up and answered 404, nothing kept; a session being opened counts
 * against `maxSessions` already. Ids are random UUIDs (122 random bits): not guessable.
 * A session ends `idleTimeout` after its last request unless its standing stream is open;
 * one whose only sign of life has been that stream for `idleTimeout` gives its place to a
 * new session when the table is full (the oldest first): the server cannot see whether a
 * stream that gets a few bytes is read, so such a session is kept only while its place is not needed.
 */
export function sessionTable(options: HttpSessionOptions, context: SessionPeerSetup): SessionTable {
  const header = (options.header ?? sessionDefaults.header).toLowerCase();
  const idleTimeout = options.idleTimeout ?? sessionDefaults.idleTimeout;
  const maxSessions = options.maxSessions ?? sessionDefaults.maxSessions;
  const sessions = new Map<string, Entry>();
  let opening = 0;
  let closing = false;
  const full = () => sessions.size + opening >= maxSessions;

  /** The session idle longest past `idleTimeout` with only its standing stream open, if any (looked for only when full). */
  const reclaimable = (): HttpSession | undefined => {
    // With no idleTimeout, no session is ever idle long enough.
    const before = idleTimeout === 0 ? -Infinity : Date.now() - idleTimeout;
    let oldest: Entry | undefined;
    for (const entry of sessions.values()) {
      const since = entry.standingIdleSince();
      if (since !== undefined && since <= before && since < (oldest?.standingIdleSince() ?? Infinity)) oldest = entry;
    }
    return oldest?.session;
  };

  const open = async (
    info: ServerConnectionInfo,
    seed: Record<string, unknown>,
    post: () => string,
  ): Promise<HttpSession | 500 | 503> => {
    if (full()) {
      const reclaimed = reclaimable();
      if (reclaimed === undefined) return 503;
      end(reclaimed);
    }
    opening++;
    const id = randomUUID();
    const link = sessionLink(linkInfoOf(info), context.report);
    let busy = 0;
    let standing = false;
    let idleSince = Date.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let ended = false;
    // Called as a request or the standing stream ends: after the session ended, nothing may arm its timer again.
    const idle = () => {
      clearTimeout(timer);
      if (ended || busy > 0) return;
      idleSince = Date.now();
      if (idleTimeout === 0 || standing) return;
      timer = setTimeout(() => session && end(session), idleTimeout);
      // An idle session must not keep the process alive.
      timer.unref();
    };
    // Set once opened: the idle timer, which runs only then, ends it.
    // eslint-disable-next-line prefer-const
    let session: HttpSession | undefined;
    const isEnded = () => ended;
    const enders = new Set<() => void>();
    const peer = await sessionPeer(context, link, info, seed, post, () => {
      ended = true;
      clearTimeout(timer);
      sessions.delete(id);
      const listeners = [...enders];
      enders.clear();
      for (const listener of listeners) listener();
    });
    opening--;
    if (peer === 500) return 500;
    /** Marks it busy with something until the returned function is called (once). */
    const occupy = (ends: () => void) => {
      clearTimeout(timer);
      let held = true;
      return () => {
        if (!held) return;
        held = false;
        ends();
        idle();
      };
    };
    const opened: HttpSession = {
      id,
      peer,
      link,
      onEnd: (listener) => {
        if (isEnded()) {
          listener();
          return () => undefined;
        }
        enders.add(listener);
        return () => void enders.delete(listener);
      },
      identity: snapshot(seed),
      hold: () => {
        busy++;
        return occupy(() => busy--);
      },
      stand: () => {
        if (standing) return undefined;
        standing = true;
        return occupy(() => (standing = false));
      },
    };
    session = opened;
    // Closed while its setup ran, or the server began closing then: close() did not see it.
    if (isEnded() || closing) {
      void peer.close({ code: 1001, reason: 'Server shutting down' });
      return 503;
    }
    sessions.set(id, { session: opened, standingIdleSince: () => (standing && busy === 0 ? idleSince : undefined) });
    idle();
    return opened;
  };

  const end = (session: HttpSession) => {
    sessions.delete(session.id);
    void session.peer.close({ code: 1000, reason: 'Session ended' });
  };

  return {
    header,
    opener: options.opener,
    keepAlive: options.keepAlive ?? sessionDefaults.keepAlive,
    find: (request) => {
      const id = request.headers[header];
      if (id === undefined) return full() && reclaimable() === undefined ? 503 : 'new';
      return (typeof id === 'string' ? sessions.get(id)?.session : undefined) ?? 404;
    },
    open,
    end,
    close: async (drain) => {
      closing = true;
      await Promise.all(
        [...sessions.values()].map(({ session }) =>
          session.peer.close({ drain, code: 1001, reason: 'Server shutting down' }),
        ),
      );
    },
  };
}
